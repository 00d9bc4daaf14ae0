//===- Parse.cpp - JSON and YAML topology descriptions --------------------===//
//
// nlohmann-json and yaml-cpp report errors by throwing; this file is the one
// exception boundary of the topology library. YAML is first converted into
// the JSON object model, remembering the line and column of every node, so
// that one validator serves both formats and names fields the same way (as
// JSON pointers).
//
//===----------------------------------------------------------------------===//
#include "ds/Topology/Clustering.h"
#include "ds/Topology/Topology.h"

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

namespace ds::topo {
namespace {

using json = nlohmann::json;

struct Mark {
  int line = 0, column = 0;
};

/// The validator's view of one input: the tree plus where its nodes came from.
struct Input {
  json root;
  std::map<std::string, Mark> marks; // JSON pointer -> position (YAML only)
  std::string file;
};

/// Thrown inside this file only, caught at the boundary below.
struct Invalid {
  std::string field;
  std::string message;
};

[[noreturn]] void invalid(std::string field, std::string message) {
  throw Invalid{std::move(field), std::move(message)};
}

json yamlToJson(const YAML::Node &n, const std::string &path, Input &in, int depth) {
  if (depth > 64)
    invalid(path, "nesting deeper than 64 levels");
  in.marks[path] = {n.Mark().line + 1, n.Mark().column + 1};
  switch (n.Type()) {
  case YAML::NodeType::Null:
  case YAML::NodeType::Undefined:
    return nullptr;
  case YAML::NodeType::Sequence: {
    json a = json::array();
    size_t i = 0;
    for (const YAML::Node &e : n)
      a.push_back(yamlToJson(e, path + "/" + std::to_string(i++), in, depth + 1));
    return a;
  }
  case YAML::NodeType::Map: {
    json o = json::object();
    for (const auto &kv : n) {
      if (!kv.first.IsScalar())
        invalid(path, "mapping keys must be scalars");
      std::string key = kv.first.Scalar();
      o[key] = yamlToJson(kv.second, path + "/" + key, in, depth + 1);
    }
    return o;
  }
  case YAML::NodeType::Scalar: {
    const std::string &s = n.Scalar();
    if (n.Tag() == "!") // quoted: always a string
      return s;
    if (s == "true" || s == "false")
      return s == "true";
    if (s == "null" || s == "~")
      return nullptr;
    // Numbers: the whole scalar must parse.
    char *end = nullptr;
    errno = 0;
    long long i = std::strtoll(s.c_str(), &end, 10);
    if (!s.empty() && *end == '\0' && errno == 0)
      return i;
    double d = std::strtod(s.c_str(), &end);
    if (!s.empty() && *end == '\0')
      return d;
    return s;
  }
  }
  return nullptr;
}

const json &field(const json &obj, const std::string &path, const char *key) {
  if (!obj.is_object())
    invalid(path, "expected an object");
  auto it = obj.find(key);
  if (it == obj.end())
    invalid(path + "/" + key, "missing required field");
  return *it;
}

const json *optionalField(const json &obj, const char *key) {
  auto it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

double number(const json &v, const std::string &path) {
  if (!v.is_number())
    invalid(path, std::string("expected a number, found ") + v.type_name());
  double d = v.get<double>();
  if (!std::isfinite(d))
    invalid(path, "expected a finite number");
  return d;
}

int64_t integer(const json &v, const std::string &path) {
  if (!v.is_number_integer() && !(v.is_number_float() && std::floor(v.get<double>()) == v.get<double>()))
    invalid(path, std::string("expected an integer, found ") + v.type_name());
  double d = v.get<double>();
  if (d < -9e15 || d > 9e15)
    invalid(path, "integer out of range");
  return static_cast<int64_t>(d);
}

std::string string(const json &v, const std::string &path) {
  if (!v.is_string())
    invalid(path, std::string("expected a string, found ") + v.type_name());
  return v.get<std::string>();
}

void rejectUnknown(const json &obj, const std::string &path,
                   std::initializer_list<const char *> known) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool ok = false;
    for (const char *k : known)
      ok |= it.key() == k;
    if (!ok)
      invalid(path + "/" + it.key(), "unknown field (a typo?)");
  }
}

Level parseLevel(const json &v, const std::string &p, int64_t nodes, bool middle) {
  if (!v.is_object())
    invalid(p, "expected an object describing a level");
  rejectUnknown(v, p, {"name", "latency_us", "bandwidth_GBps", "oversubscription",
                       "nodes_per_group", "group_of_node"});
  Level l;
  l.name = string(field(v, p, "name"), p + "/name");
  l.alpha = number(field(v, p, "latency_us"), p + "/latency_us") * 1e-6;
  if (l.alpha < 0)
    invalid(p + "/latency_us", "must be non-negative");
  l.beta = number(field(v, p, "bandwidth_GBps"), p + "/bandwidth_GBps") * 1e9;
  if (!(l.beta > 0))
    invalid(p + "/bandwidth_GBps", "must be positive");
  if (const json *o = optionalField(v, "oversubscription")) {
    l.oversubscription = number(*o, p + "/oversubscription");
    if (l.oversubscription < 1)
      invalid(p + "/oversubscription", "must be >= 1 (1 = not oversubscribed)");
  }
  const json *per = optionalField(v, "nodes_per_group");
  const json *map = optionalField(v, "group_of_node");
  if (!middle && (per || map))
    invalid(p + (per ? "/nodes_per_group" : "/group_of_node"),
            "only levels between the node and the fabric group nodes");
  if (middle && !per && !map)
    invalid(p + "/nodes_per_group",
            "missing required field (a middle level needs nodes_per_group or group_of_node)");
  if (per && map)
    invalid(p + "/group_of_node", "give nodes_per_group or group_of_node, not both");
  if (per) {
    int64_t g = integer(*per, p + "/nodes_per_group");
    if (g <= 0 || nodes % g != 0)
      invalid(p + "/nodes_per_group",
              "must be a positive divisor of nodes (" + std::to_string(nodes) + "), found " +
                  std::to_string(g));
    for (int64_t n = 0; n < nodes; ++n)
      l.groupOfNode.push_back(static_cast<int32_t>(n / g));
  }
  if (map) {
    if (!map->is_array())
      invalid(p + "/group_of_node", "expected an array with one group id per node");
    if (static_cast<int64_t>(map->size()) != nodes)
      invalid(p + "/group_of_node", "has " + std::to_string(map->size()) +
                                        " entries but the cluster has " +
                                        std::to_string(nodes) + " nodes");
    for (size_t i = 0; i < map->size(); ++i) {
      int64_t g = integer((*map)[i], p + "/group_of_node/" + std::to_string(i));
      if (g < 0 || g >= nodes)
        invalid(p + "/group_of_node/" + std::to_string(i), "group id out of range");
      l.groupOfNode.push_back(static_cast<int32_t>(g));
    }
  }
  return l;
}

LatencyMatrix parseMatrix(const json &v, const std::string &p) {
  if (!v.is_object())
    invalid(p, "expected an object with 'granularity' and 'values_us'");
  rejectUnknown(v, p, {"granularity", "values_us"});
  LatencyMatrix m;
  if (const json *g = optionalField(v, "granularity")) {
    std::string s = string(*g, p + "/granularity");
    if (s == "node")
      m.granularity = LatencyMatrix::Granularity::Node;
    else if (s != "rank")
      invalid(p + "/granularity", "expected \"rank\" or \"node\", found \"" + s + "\"");
  }
  const json &rows = field(v, p, "values_us");
  std::string rp = p + "/values_us";
  if (!rows.is_array() || rows.empty())
    invalid(rp, "expected a non-empty array of rows");
  m.size = static_cast<int64_t>(rows.size());
  if (m.size > 65536)
    invalid(rp, "more than 65536 rows");
  m.values.reserve(m.size * m.size);
  for (int64_t i = 0; i < m.size; ++i) {
    const json &row = rows[i];
    std::string rowp = rp + "/" + std::to_string(i);
    if (!row.is_array() || static_cast<int64_t>(row.size()) != m.size)
      invalid(rowp, "expected a row of " + std::to_string(m.size) +
                        " numbers (the matrix must be square)");
    for (int64_t j = 0; j < m.size; ++j)
      m.values.push_back(number(row[j], rowp + "/" + std::to_string(j)) * 1e-6);
  }
  return m;
}

Topology build(const json &root, int &clustersK, bool &wantClusters) {
  if (!root.is_object())
    invalid("", "the topology must be an object");
  rejectUnknown(root, "", {"name", "nodes", "devices_per_node", "ranks", "levels",
                           "latency_matrix", "clusters"});
  Topology t;
  if (const json *n = optionalField(root, "name"))
    t.name = string(*n, "/name");
  t.nodes = integer(field(root, "", "nodes"), "/nodes");
  if (t.nodes <= 0 || t.nodes > (1 << 22))
    invalid("/nodes", "must be in [1, 2^22]");
  t.devicesPerNode = integer(field(root, "", "devices_per_node"), "/devices_per_node");
  if (t.devicesPerNode <= 0 || t.devicesPerNode > 4096)
    invalid("/devices_per_node", "must be in [1, 4096]");
  if (t.ranks() > (int64_t(1) << 26))
    invalid("/nodes", "more than 2^26 ranks are not supported");
  if (const json *r = optionalField(root, "ranks")) {
    int64_t ranks = integer(*r, "/ranks");
    if (ranks != t.ranks())
      invalid("/ranks", "is " + std::to_string(ranks) + " but nodes x devices_per_node = " +
                            std::to_string(t.nodes) + " x " + std::to_string(t.devicesPerNode) +
                            " = " + std::to_string(t.ranks()));
  }
  const json &levels = field(root, "", "levels");
  if (!levels.is_array() || levels.size() < 2)
    invalid("/levels", "expected an array of at least two levels (intra-node first, the "
                       "whole fabric last)");
  if (levels.size() > 16)
    invalid("/levels", "at most 16 levels");
  for (size_t i = 0; i < levels.size(); ++i)
    t.levels.push_back(parseLevel(levels[i], "/levels/" + std::to_string(i), t.nodes,
                                  i > 0 && i + 1 < levels.size()));
  if (const json *m = optionalField(root, "latency_matrix"))
    t.latency = parseMatrix(*m, "/latency_matrix");
  clustersK = 0;
  wantClusters = t.latency.has_value();
  if (const json *c = optionalField(root, "clusters")) {
    if (!t.latency)
      invalid("/clusters", "needs a latency_matrix to cluster");
    if (c->is_string() && c->get<std::string>() == "auto")
      clustersK = 0;
    else if (c->is_string() && c->get<std::string>() == "none")
      wantClusters = false;
    else {
      clustersK = static_cast<int>(integer(*c, "/clusters"));
      if (clustersK < 1 || clustersK > t.latency->size)
        invalid("/clusters", "k must be in [1, matrix size]");
    }
  }
  return t;
}

/// Line and column of byte `offset` in `text` (1-based).
Mark position(std::string_view text, size_t offset) {
  Mark m{1, 1};
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++m.line;
      m.column = 1;
    } else {
      ++m.column;
    }
  }
  return m;
}

/// The position of the deepest recorded prefix of `field`.
Mark locate(const Input &in, std::string field) {
  while (true) {
    auto it = in.marks.find(field);
    if (it != in.marks.end())
      return it->second;
    size_t slash = field.rfind('/');
    if (slash == std::string::npos)
      return {};
    field.resize(slash);
  }
}

} // namespace

std::optional<Topology> parseTopology(std::string_view text, Diagnostic &diag, Format format,
                                      std::string_view bufferName) {
  diag = Diagnostic();
  diag.file = std::string(bufferName);
  if (format == Format::Auto) {
    size_t i = text.find_first_not_of(" \t\r\n");
    format = i != std::string_view::npos && text[i] == '{' ? Format::JSON : Format::YAML;
  }
  Input in;
  in.file = diag.file;
  try {
    if (format == Format::JSON) {
      try {
        in.root = json::parse(text.begin(), text.end());
      } catch (const json::parse_error &e) {
        Mark m = position(text, e.byte > 0 ? e.byte - 1 : 0);
        diag.line = m.line;
        diag.column = m.column;
        std::string what = e.what();
        // Drop nlohmann's "[json.exception.parse_error.101] parse error at
        // line L, column C: " prefix; we print the position ourselves.
        size_t colon = what.find(": ");
        diag.message = "not valid JSON: " + (colon == std::string::npos ? what : what.substr(colon + 2));
        return std::nullopt;
      }
    } else {
      YAML::Node doc;
      try {
        doc = YAML::Load(std::string(text));
      } catch (const YAML::Exception &e) {
        diag.line = e.mark.line + 1;
        diag.column = e.mark.column + 1;
        diag.message = "not valid YAML: " + e.msg;
        return std::nullopt;
      }
      in.root = yamlToJson(doc, "", in, 0);
    }
    int k = 0;
    bool cluster = false;
    Topology t = build(in.root, k, cluster);
    if (!verifyTopology(t, diag)) {
      Mark m = locate(in, diag.field);
      diag.line = m.line;
      diag.column = m.column;
      return std::nullopt;
    }
    if (cluster && !addLatencyClusterLevel(t, k, diag)) {
      Mark m = locate(in, diag.field.empty() ? "/latency_matrix" : diag.field);
      diag.line = m.line;
      diag.column = m.column;
      return std::nullopt;
    }
    return t;
  } catch (const Invalid &e) {
    diag.field = e.field;
    diag.message = e.message;
    Mark m = locate(in, e.field);
    diag.line = m.line;
    diag.column = m.column;
  } catch (const std::exception &e) {
    diag.message = std::string("cannot read the topology: ") + e.what();
  }
  return std::nullopt;
}

std::optional<Topology> loadTopology(const std::string &path, Diagnostic &diag) {
  diag = Diagnostic();
  diag.file = path;
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    diag.message = "cannot open the file";
    return std::nullopt;
  }
  std::ostringstream ss;
  ss << f.rdbuf();
  Format fmt = Format::Auto;
  auto ends = [&](const char *ext) {
    size_t n = std::char_traits<char>::length(ext);
    return path.size() >= n && path.compare(path.size() - n, n, ext) == 0;
  };
  if (ends(".json"))
    fmt = Format::JSON;
  else if (ends(".yaml") || ends(".yml"))
    fmt = Format::YAML;
  return parseTopology(ss.str(), diag, fmt, path);
}

} // namespace ds::topo
