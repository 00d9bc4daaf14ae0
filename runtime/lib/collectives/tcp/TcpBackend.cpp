//===- TcpBackend.cpp - Collectives over TCP sockets, no MPI needed ------===//
//
// The backend for ranks started torchrun-style, from RANK, WORLD_SIZE,
// MASTER_ADDR and MASTER_PORT instead of mpirun. It lives in libdsrt (plain
// sockets, no extra dependency):
//
//  * rendezvous: rank 0 listens on MASTER_ADDR:MASTER_PORT; every rank opens
//    its own listening socket on an ephemeral port, connects to the master
//    (retrying until DS_COLL_TIMEOUT_S), and registers its address; the
//    master answers with the table of all ranks;
//  * a full mesh of connections: rank i connects to every j < i and accepts
//    every j > i;
//  * messages are framed (channel, tag, length) per connection, matched in
//    order per (peer, channel, tag), and progressed with poll();
//  * ds's step plans (Core.h) run on it exactly as on MPI, with the same
//    descriptor check before each collective and the same deadlines; a peer
//    whose connection closes fails the call at once ("lost the connection
//    to rank N").
//
// DSRT_ALGO_NATIVE has no meaning here and runs ds's AUTO choice.
//
//===----------------------------------------------------------------------===//
#include "../Backend.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <map>
#include <memory>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sstream>
#include <sys/socket.h>
#include <unistd.h>

namespace dsrt::coll {
Backend *createTcpBackend(std::string &error);
} // namespace dsrt::coll

using namespace dsrt::coll;

namespace {

using Clock = std::chrono::steady_clock;

struct Header {
  uint32_t channel;
  int32_t tag;
  uint64_t bytes;
};

struct Entry { // the rendezvous table
  int32_t rank;
  uint32_t ip; // network order
  uint16_t port; // network order
  uint16_t pad;
};

enum Channel : uint32_t { Ctrl = 0, Data = 1, P2P = 2 };

struct PostedRecv {
  uint32_t channel;
  int32_t tag;
  char *dst;
  uint64_t bytes;
  bool done = false;
  std::string error;
};

struct OutFrame {
  Header h;
  const char *payload;
  size_t sent = 0; // bytes of header+payload written
  bool *done;
};

struct Peer {
  int fd = -1;
  bool closed = false;
  std::deque<OutFrame> out;
  // Inbound parsing.
  Header h{};
  size_t hdrGot = 0;
  char *dst = nullptr;     // where the current payload goes
  uint64_t payloadGot = 0;
  PostedRecv *target = nullptr;
  std::vector<char> *unexpectedBuf = nullptr;
  std::deque<PostedRecv *> posted;
  /// Messages that arrived before their receive was posted; `second` is
  /// whether the whole payload is in.
  std::map<std::pair<uint32_t, int32_t>, std::deque<std::pair<std::vector<char>, bool>>> unexpected;
};

bool setNonBlocking(int fd) {
  int fl = fcntl(fd, F_GETFL, 0);
  return fl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0;
}

/// Blocking helpers with a deadline, for the bootstrap.
bool waitFd(int fd, short ev, Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0)
      return false;
    pollfd p{fd, ev, 0};
    int r = poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000)));
    if (r > 0)
      return true;
    if (r < 0 && errno != EINTR)
      return false;
  }
}

bool sendAll(int fd, const void *buf, size_t n, Clock::time_point deadline) {
  const char *p = static_cast<const char *>(buf);
  while (n) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w > 0) {
      p += w;
      n -= static_cast<size_t>(w);
    } else if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!waitFd(fd, POLLOUT, deadline))
        return false;
    } else {
      return false;
    }
  }
  return true;
}

bool recvAll(int fd, void *buf, size_t n, Clock::time_point deadline) {
  char *p = static_cast<char *>(buf);
  while (n) {
    ssize_t r = ::recv(fd, p, n, 0);
    if (r > 0) {
      p += r;
      n -= static_cast<size_t>(r);
    } else if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!waitFd(fd, POLLIN, deadline))
        return false;
    } else {
      return false;
    }
  }
  return true;
}

int acceptBy(int lfd, Clock::time_point deadline) {
  if (!waitFd(lfd, POLLIN, deadline))
    return -1;
  int fd = accept(lfd, nullptr, nullptr);
  if (fd >= 0)
    setNonBlocking(fd);
  return fd;
}

std::string ipString(uint32_t ip) {
  char buf[INET_ADDRSTRLEN];
  in_addr a;
  a.s_addr = ip;
  inet_ntop(AF_INET, &a, buf, sizeof buf);
  return buf;
}

class TcpBackend final : public Backend {
public:
  ~TcpBackend() override {
    for (Peer &p : peers_)
      if (p.fd >= 0)
        close(p.fd);
  }

  bool init(std::string &error) {
    timeout_ = 300;
    if (const char *t = std::getenv("DS_COLL_TIMEOUT_S"))
      if (std::atof(t) > 0)
        timeout_ = std::atof(t);
    if (const char *c = std::getenv("DS_COLL_CHECK"))
      check_ = std::atoi(c) != 0;
    const char *r = std::getenv("RANK"), *w = std::getenv("WORLD_SIZE"),
               *a = std::getenv("MASTER_ADDR"), *p = std::getenv("MASTER_PORT");
    if (!r || !w || !a || !p) {
      error = "the tcp backend needs RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT";
      return false;
    }
    rank_ = std::atoi(r);
    size_ = std::atoi(w);
    int port = std::atoi(p);
    if (size_ < 1 || rank_ < 0 || rank_ >= size_ || port <= 0 || port > 65535) {
      error = std::string("invalid RANK=") + r + " WORLD_SIZE=" + w + " MASTER_PORT=" + p;
      return false;
    }
    addrinfo hints{}, *res = nullptr;
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(a, nullptr, &hints, &res) != 0 || !res) {
      error = std::string("cannot resolve MASTER_ADDR=") + a;
      return false;
    }
    sockaddr_in master = *reinterpret_cast<sockaddr_in *>(res->ai_addr);
    freeaddrinfo(res);
    master.sin_port = htons(static_cast<uint16_t>(port));
    deadline_ = Clock::now() + limit();
    peers_.resize(size_);
    return bootstrap(master, error);
  }

  const char *name() const override { return "tcp"; }
  int rank() const override { return rank_; }
  int size() const override { return size_; }

  int32_t collective(const Call &call, std::string &error) override {
    if (failed_) {
      error = "an earlier collective failed (" + firstError_ + "); the backend is unusable";
      return DSRT_INTERNAL;
    }
    int32_t st = run(call, error);
    if (st) {
      failed_ = true;
      firstError_ = error;
    }
    return st;
  }

  int32_t send(const void *buf, int64_t count, int32_t dtype, int peer, int32_t tag,
               std::string &error) override {
    bool done = false;
    queueSend(peer, P2P, tag, static_cast<const char *>(buf), count * dtypeSize(dtype), &done);
    std::vector<bool *> sends{&done};
    std::vector<PostedRecv *> recvs;
    return progress(sends, {peer}, recvs, {}, "send to rank " + std::to_string(peer), error)
               ? 0 : DSRT_INTERNAL;
  }

  int32_t recv(void *buf, int64_t count, int32_t dtype, int peer, int32_t tag,
               std::string &error) override {
    PostedRecv pr{P2P, tag, static_cast<char *>(buf),
                  static_cast<uint64_t>(count) * dtypeSize(dtype)};
    postRecv(peer, &pr);
    std::vector<bool *> sends;
    std::vector<PostedRecv *> recvs{&pr};
    return progress(sends, {}, recvs, {peer}, "recv from rank " + std::to_string(peer), error)
               ? 0 : DSRT_INTERNAL;
  }

private:
  Clock::duration limit() const {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout_));
  }

  bool bootstrap(const sockaddr_in &master, std::string &error) {
    // Our own listening socket for the mesh.
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in any{};
    any.sin_family = AF_INET;
    any.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(lfd, reinterpret_cast<sockaddr *>(&any), sizeof any) || listen(lfd, size_)) {
      error = std::string("cannot listen for peers: ") + std::strerror(errno);
      close(lfd);
      return false;
    }
    socklen_t len = sizeof any;
    getsockname(lfd, reinterpret_cast<sockaddr *>(&any), &len);
    setNonBlocking(lfd);
    std::vector<Entry> table(size_);
    if (rank_ == 0) {
      int mfd = socket(AF_INET, SOCK_STREAM, 0);
      setsockopt(mfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      if (bind(mfd, reinterpret_cast<const sockaddr *>(&master), sizeof master) ||
          listen(mfd, size_)) {
        error = "cannot listen on MASTER_ADDR:MASTER_PORT (" + ipString(master.sin_addr.s_addr) +
                ":" + std::to_string(ntohs(master.sin_port)) + "): " + std::strerror(errno);
        close(mfd);
        close(lfd);
        return false;
      }
      setNonBlocking(mfd);
      table[0] = {0, master.sin_addr.s_addr, any.sin_port, 0};
      std::vector<int> fds;
      std::vector<bool> seen(size_, false);
      seen[0] = true;
      for (int i = 1; i < size_; ++i) {
        int fd = acceptBy(mfd, deadline_);
        Entry e{};
        if (fd < 0 || !recvAll(fd, &e, sizeof e, deadline_) || e.rank <= 0 || e.rank >= size_ ||
            seen[e.rank]) {
          if (fd >= 0)
            close(fd);
          std::vector<int> missing;
          for (int j = 0; j < size_; ++j)
            if (!seen[j])
              missing.push_back(j);
          std::ostringstream os;
          os << "rendezvous: timed out after " << timeout_
             << " s (DS_COLL_TIMEOUT_S) waiting for rank(s) ";
          for (size_t j = 0; j < missing.size(); ++j)
            os << (j ? ", " : "") << missing[j];
          os << " to join at " << ipString(master.sin_addr.s_addr) << ":"
             << ntohs(master.sin_port);
          error = os.str();
          for (int f : fds)
            close(f);
          close(mfd);
          close(lfd);
          return false;
        }
        seen[e.rank] = true;
        table[e.rank] = e;
        fds.push_back(fd);
      }
      for (int fd : fds) {
        sendAll(fd, table.data(), sizeof(Entry) * size_, deadline_);
        close(fd);
      }
      close(mfd);
    } else {
      int fd = -1;
      for (;;) { // the master may not be up yet
        fd = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(fd, reinterpret_cast<const sockaddr *>(&master), sizeof master) == 0)
          break;
        close(fd);
        fd = -1;
        if (Clock::now() >= deadline_)
          break;
        usleep(50000);
      }
      if (fd < 0) {
        error = "rendezvous: could not reach rank 0 at " + ipString(master.sin_addr.s_addr) + ":" +
                std::to_string(ntohs(master.sin_port)) + " within " +
                std::to_string(static_cast<int>(timeout_)) + " s (DS_COLL_TIMEOUT_S)";
        close(lfd);
        return false;
      }
      sockaddr_in me{};
      len = sizeof me;
      getsockname(fd, reinterpret_cast<sockaddr *>(&me), &len);
      Entry e{rank_, me.sin_addr.s_addr, any.sin_port, 0};
      setNonBlocking(fd);
      if (!sendAll(fd, &e, sizeof e, deadline_) ||
          !recvAll(fd, table.data(), sizeof(Entry) * size_, deadline_)) {
        error = "rendezvous: rank 0 did not send the rank table within " +
                std::to_string(static_cast<int>(timeout_)) +
                " s (DS_COLL_TIMEOUT_S): another rank never joined";
        close(fd);
        close(lfd);
        return false;
      }
      close(fd);
    }
    // Mesh: connect to lower ranks, accept higher ones.
    for (int j = 0; j < rank_; ++j) {
      sockaddr_in to{};
      to.sin_family = AF_INET;
      to.sin_addr.s_addr = table[j].ip;
      to.sin_port = table[j].port;
      int fd = socket(AF_INET, SOCK_STREAM, 0);
      if (connect(fd, reinterpret_cast<sockaddr *>(&to), sizeof to) != 0) {
        error = "cannot connect to rank " + std::to_string(j) + " at " + ipString(table[j].ip) +
                ":" + std::to_string(ntohs(table[j].port)) + ": " + std::strerror(errno);
        close(fd);
        close(lfd);
        return false;
      }
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      setNonBlocking(fd);
      int32_t me = rank_;
      sendAll(fd, &me, sizeof me, deadline_);
      peers_[j].fd = fd;
    }
    for (int j = rank_ + 1; j < size_; ++j) {
      int fd = acceptBy(lfd, deadline_);
      int32_t who = -1;
      if (fd < 0 || !recvAll(fd, &who, sizeof who, deadline_) || who <= rank_ || who >= size_ ||
          peers_[who].fd >= 0) {
        error = "mesh setup: a higher rank did not connect within the timeout";
        if (fd >= 0)
          close(fd);
        close(lfd);
        return false;
      }
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      peers_[who].fd = fd;
    }
    close(lfd);
    // Nodes: DS_COLL_RANKS_PER_NODE, else ranks with the same address.
    int perNode = std::getenv("DS_COLL_RANKS_PER_NODE") ? std::atoi(std::getenv("DS_COLL_RANKS_PER_NODE")) : 0;
    std::map<uint32_t, int> hostIds;
    for (int j = 0; j < size_; ++j)
      topo_.nodeOf.push_back(perNode > 0 ? j / perNode
                                         : hostIds.emplace(table[j].ip, static_cast<int>(hostIds.size())).first->second);
    if (const char *c = std::getenv("DS_COLL_NODES_PER_CLUSTER"))
      if (std::atoi(c) > 0)
        for (int j = 0; j < size_; ++j)
          topo_.clusterOf.push_back(topo_.nodeOf[j] / std::atoi(c));
    return true;
  }

  void queueSend(int peer, uint32_t ch, int32_t tag, const char *payload, uint64_t bytes,
                 bool *done) {
    *done = false;
    OutFrame f{{ch, tag, bytes}, payload, 0, done};
    peers_[peer].out.push_back(f);
  }

  void postRecv(int peer, PostedRecv *pr) {
    Peer &p = peers_[peer];
    auto it = p.unexpected.find({pr->channel, pr->tag});
    if (it != p.unexpected.end() && !it->second.empty() && it->second.front().second) {
      std::vector<char> msg = std::move(it->second.front().first);
      it->second.pop_front();
      if (msg.size() != pr->bytes)
        pr->error = "rank " + std::to_string(peer) + " sent " + std::to_string(msg.size()) +
                    " bytes where " + std::to_string(pr->bytes) + " were expected";
      else if (!msg.empty())
        std::memcpy(pr->dst, msg.data(), msg.size());
      pr->done = true;
      return;
    }
    p.posted.push_back(pr);
  }

  /// Reads what is available from peer `j`. False on EOF/error.
  bool readFrom(int j, std::string &error) {
    Peer &p = peers_[j];
    for (;;) {
      if (p.hdrGot < sizeof(Header)) {
        ssize_t r = ::recv(p.fd, reinterpret_cast<char *>(&p.h) + p.hdrGot,
                           sizeof(Header) - p.hdrGot, 0);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
          // The peer is gone; what it sent before is already consumed.
          // progress() fails only the operations that still need it.
          p.closed = true;
          return true;
        }
        if (r < 0)
          return true;
        p.hdrGot += static_cast<size_t>(r);
        if (p.hdrGot < sizeof(Header))
          continue;
        // Match a posted receive (first one for this channel and tag).
        p.target = nullptr;
        for (auto it = p.posted.begin(); it != p.posted.end(); ++it)
          if ((*it)->channel == p.h.channel && (*it)->tag == p.h.tag) {
            p.target = *it;
            p.posted.erase(it);
            break;
          }
        if (p.target && p.target->bytes != p.h.bytes) {
          p.target->error = "rank " + std::to_string(j) + " sent " + std::to_string(p.h.bytes) +
                            " bytes where " + std::to_string(p.target->bytes) + " were expected";
          p.target->done = true;
          p.target = nullptr; // drain into an unexpected buffer
        }
        if (p.target) {
          p.dst = p.target->dst;
        } else {
          auto &q = p.unexpected[{p.h.channel, p.h.tag}];
          q.emplace_back(std::vector<char>(p.h.bytes), false);
          p.unexpectedBuf = &q.back().first;
          p.dst = p.unexpectedBuf->data();
        }
        p.payloadGot = 0;
      }
      if (p.payloadGot < p.h.bytes) {
        ssize_t r = ::recv(p.fd, p.dst + p.payloadGot, p.h.bytes - p.payloadGot, 0);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
          // The peer is gone; what it sent before is already consumed.
          // progress() fails only the operations that still need it.
          p.closed = true;
          return true;
        }
        if (r < 0)
          return true;
        p.payloadGot += static_cast<uint64_t>(r);
      }
      if (p.payloadGot == p.h.bytes) {
        if (p.target) {
          p.target->done = true;
        } else {
          // Complete now: hand it to a receive posted meanwhile, if any.
          auto &q = p.unexpected[{p.h.channel, p.h.tag}];
          q.back().second = true;
          for (auto it = p.posted.begin(); it != p.posted.end(); ++it)
            if ((*it)->channel == p.h.channel && (*it)->tag == p.h.tag) {
              PostedRecv *pr = *it;
              p.posted.erase(it);
              postRecv(j, pr); // takes the (complete) front of the queue
              break;
            }
        }
        p.hdrGot = 0;
        p.target = nullptr;
      }
    }
  }

  bool writeTo(int j, std::string &error) {
    Peer &p = peers_[j];
    while (!p.out.empty()) {
      OutFrame &f = p.out.front();
      const size_t total = sizeof(Header) + f.h.bytes;
      ssize_t w;
      if (f.sent < sizeof(Header)) {
        iovec iov[2] = {{reinterpret_cast<char *>(&f.h) + f.sent, sizeof(Header) - f.sent},
                        {const_cast<char *>(f.payload), f.h.bytes}};
        msghdr m{};
        m.msg_iov = iov;
        m.msg_iovlen = f.h.bytes ? 2 : 1;
        w = sendmsg(p.fd, &m, MSG_NOSIGNAL);
      } else {
        w = ::send(p.fd, f.payload + (f.sent - sizeof(Header)), total - f.sent, MSG_NOSIGNAL);
      }
      if (w < 0 && (errno == EAGAIN || errno == EINTR))
        return true;
      if (w < 0) {
        p.closed = true;
        error = "lost the connection to rank " + std::to_string(j) + " (it exited or crashed)";
        return false;
      }
      f.sent += static_cast<size_t>(w);
      if (f.sent == total) {
        *f.done = true;
        p.out.pop_front();
      }
    }
    return true;
  }

  /// Drives all sockets until the given sends and receives complete.
  bool progress(const std::vector<bool *> &sends, const std::vector<int> &sendPeers,
                const std::vector<PostedRecv *> &recvs, const std::vector<int> &recvPeers,
                const std::string &what, std::string &error) {
    auto deadline = Clock::now() + limit();
    std::vector<pollfd> fds;
    std::vector<int> who;
    for (;;) {
      bool all = true;
      size_t pending = 0;
      for (bool *d : sends)
        if (!*d) {
          all = false;
          ++pending;
        }
      for (PostedRecv *r : recvs) {
        if (r->done && !r->error.empty()) {
          error = what + ": " + r->error;
          return false;
        }
        if (!r->done) {
          all = false;
          ++pending;
        }
      }
      if (all)
        return true;
      for (size_t i = 0; i < sends.size(); ++i)
        if (!*sends[i] && peers_[sendPeers[i]].closed) {
          error = what + ": lost the connection to rank " + std::to_string(sendPeers[i]) +
                  " (it exited or crashed)";
          return false;
        }
      for (size_t i = 0; i < recvs.size(); ++i)
        if (!recvs[i]->done && peers_[recvPeers[i]].closed) {
          error = what + ": lost the connection to rank " + std::to_string(recvPeers[i]) +
                  " (it exited or crashed)";
          return false;
        }
      fds.clear();
      who.clear();
      for (int j = 0; j < size_; ++j) {
        if (j == rank_ || peers_[j].fd < 0 || peers_[j].closed)
          continue;
        short ev = POLLIN;
        if (!peers_[j].out.empty())
          ev |= POLLOUT;
        fds.push_back({peers_[j].fd, ev, 0});
        who.push_back(j);
      }
      int r = poll(fds.data(), fds.size(), 100);
      if (r < 0 && errno != EINTR) {
        error = what + ": poll failed";
        return false;
      }
      bool moved = false;
      for (size_t i = 0; r > 0 && i < fds.size(); ++i) {
        if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
          if (!readFrom(who[i], error)) {
            error = what + ": " + error;
            return false;
          }
          moved = true;
        }
        if (fds[i].revents & POLLOUT) {
          if (!writeTo(who[i], error)) {
            error = what + ": " + error;
            return false;
          }
          moved = true;
        }
      }
      size_t nowPending = 0;
      for (bool *d : sends)
        nowPending += !*d;
      for (PostedRecv *pr : recvs)
        nowPending += !pr->done;
      if (moved && nowPending < pending)
        deadline = Clock::now() + limit();
      if (Clock::now() >= deadline) {
        std::vector<int> missing;
        for (size_t i = 0; i < sends.size(); ++i)
          if (!*sends[i])
            missing.push_back(sendPeers[i]);
        for (size_t i = 0; i < recvs.size(); ++i)
          if (!recvs[i]->done)
            missing.push_back(recvPeers[i]);
        std::ostringstream os;
        os << what << ": timed out after " << timeout_ << " s (DS_COLL_TIMEOUT_S) waiting for rank";
        std::sort(missing.begin(), missing.end());
        missing.erase(std::unique(missing.begin(), missing.end()), missing.end());
        os << (missing.size() > 1 ? "s " : " ");
        for (size_t i = 0; i < missing.size(); ++i)
          os << (i ? ", " : "") << missing[i];
        os << ": a rank exited early, never joined, or called a different collective";
        error = os.str();
        return false;
      }
    }
  }

  struct Desc {
    uint64_t seq;
    int64_t count, root, scratchBytes;
    int32_t kind, dtype, reduction, algorithm, allocOk, groupSize;
  };

  static std::string describe(const Desc &d) {
    std::ostringstream os;
    os << kindName(static_cast<Kind>(d.kind)) << "(count=" << d.count << ", dtype=" << d.dtype
       << ", " << algorithmName(d.algorithm) << ", group of " << d.groupSize << ", call #"
       << d.seq << ")";
    return os.str();
  }

  int32_t run(const Call &call, std::string &error) {
    const Group &g = call.group;
    size_t es = dtypeSize(call.dtype);
    int n = g.size();
    int32_t algo = call.algorithm == DSRT_ALGO_NATIVE ? DSRT_ALGO_AUTO : call.algorithm;
    PlanOptions opt;
    opt.elemSize = es;
    if (const char *c = std::getenv("DS_COLL_CHUNKS"))
      opt.chunks = std::atoi(c);
    Plan plan = buildPlan(call.kind, g, call.count, algo, call.root, topo_, opt);
    int64_t scratchElems = plan.maxTempElems();
    if (call.kind == Kind::ReduceScatter)
      scratchElems += call.count * n;
    size_t scratchBytes = static_cast<size_t>(scratchElems) * es;
    std::unique_ptr<char, void (*)(void *)> scratch(
        scratchBytes ? static_cast<char *>(std::malloc(scratchBytes)) : nullptr, std::free);
    bool allocOk = scratchBytes == 0 || scratch != nullptr;
    std::string what = std::string(kindName(call.kind)) + " [" + plan.description + "]";
    Desc mine{++seq_[g.members], call.count, call.root, static_cast<int64_t>(scratchBytes),
              static_cast<int32_t>(call.kind), call.dtype,
              (call.kind == Kind::AllReduce || call.kind == Kind::ReduceScatter) ? call.reduction : 0,
              call.algorithm, allocOk, n};
    if (check_ && n > 1) {
      std::vector<Desc> theirs(n);
      std::vector<PostedRecv> prs(n);
      std::vector<bool> doneFlags(n);
      std::unique_ptr<bool[]> done(new bool[n]());
      std::vector<bool *> sends;
      std::vector<int> sendPeers, recvPeers;
      std::vector<PostedRecv *> recvs;
      for (int i = 0; i < n; ++i) {
        if (i == g.index)
          continue;
        prs[i] = PostedRecv{Ctrl, 0, reinterpret_cast<char *>(&theirs[i]), sizeof(Desc)};
        postRecv(g.members[i], &prs[i]);
        recvs.push_back(&prs[i]);
        recvPeers.push_back(g.members[i]);
        queueSend(g.members[i], Ctrl, 0, reinterpret_cast<const char *>(&mine), sizeof mine, &done[i]);
        sends.push_back(&done[i]);
        sendPeers.push_back(g.members[i]);
      }
      if (!progress(sends, sendPeers, recvs, recvPeers,
                    std::string(kindName(call.kind)) + " (call #" + std::to_string(mine.seq) + ")",
                    error))
        return DSRT_INTERNAL;
      theirs[g.index] = mine;
      for (int i = 0; i < n; ++i)
        if (std::memcmp(&theirs[i], &mine, offsetof(Desc, scratchBytes)) != 0 ||
            theirs[i].kind != mine.kind || theirs[i].dtype != mine.dtype ||
            theirs[i].reduction != mine.reduction || theirs[i].algorithm != mine.algorithm ||
            theirs[i].groupSize != mine.groupSize) {
          error = "collective mismatch: rank " + std::to_string(rank_) + " called " +
                  describe(mine) + " but rank " + std::to_string(g.members[i]) + " called " +
                  describe(theirs[i]);
          return DSRT_INTERNAL;
        }
      for (int i = 0; i < n; ++i)
        if (!theirs[i].allocOk) {
          error = "out of memory: rank " + std::to_string(g.members[i]) + " could not allocate " +
                  std::to_string(theirs[i].scratchBytes) + " bytes of scratch memory for " +
                  describe(theirs[i]);
          return DSRT_INTERNAL;
        }
    } else if (!allocOk) {
      error = "out of memory: could not allocate " + std::to_string(scratchBytes) +
              " bytes of scratch memory";
      return DSRT_INTERNAL;
    }
    int64_t cnt = call.count;
    char *recv = static_cast<char *>(call.recv);
    const char *send = static_cast<const char *>(call.send);
    auto [work, temp] = prepareLocalData(call, scratch.get());
    for (size_t k = 0; k < plan.rounds.size(); ++k) {
      const Round &round = plan.rounds[k];
      std::vector<PostedRecv> prs(round.recvs.size());
      std::unique_ptr<bool[]> done(new bool[round.sends.size() + 1]());
      std::vector<bool *> sends;
      std::vector<int> sendPeers, recvPeers;
      std::vector<PostedRecv *> recvs;
      char *t = temp;
      for (size_t i = 0; i < round.recvs.size(); ++i) {
        const Xfer &x = round.recvs[i];
        char *dst = work + x.offset * es;
        if (x.reduce) {
          dst = t;
          t += x.count * es;
        }
        prs[i] = PostedRecv{Data, 0, dst, static_cast<uint64_t>(x.count) * es};
        postRecv(x.peer, &prs[i]);
        recvs.push_back(&prs[i]);
        recvPeers.push_back(x.peer);
      }
      for (size_t i = 0; i < round.sends.size(); ++i) {
        const Xfer &x = round.sends[i];
        const char *src = (x.buf == Buf::Input ? send : work) + x.offset * es;
        queueSend(x.peer, Data, 0, src, static_cast<uint64_t>(x.count) * es, &done[i]);
        sends.push_back(&done[i]);
        sendPeers.push_back(x.peer);
      }
      if (!progress(sends, sendPeers, recvs, recvPeers,
                    what + " round " + std::to_string(k + 1) + "/" +
                        std::to_string(plan.rounds.size()),
                    error))
        return DSRT_INTERNAL;
      for (size_t i = 0; i < round.recvs.size(); ++i)
        if (round.recvs[i].reduce)
          reduceInto(work + round.recvs[i].offset * es, prs[i].dst, round.recvs[i].count,
                     call.dtype, call.reduction);
    }
    if (call.kind == Kind::ReduceScatter && cnt)
      std::memcpy(recv, work + g.index * cnt * es, cnt * es);
    return 0;
  }

  int rank_ = 0, size_ = 1;
  double timeout_ = 300;
  bool check_ = true, failed_ = false;
  std::string firstError_;
  Clock::time_point deadline_;
  std::vector<Peer> peers_;
  Topology topo_;
  std::map<std::vector<int>, uint64_t> seq_;
};

} // namespace

Backend *dsrt::coll::createTcpBackend(std::string &error) {
  auto b = std::make_unique<TcpBackend>();
  if (!b->init(error))
    return nullptr;
  return b.release();
}
