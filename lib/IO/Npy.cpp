//===- Npy.cpp - NumPy .npy files -----------------------------------------===//
//
// Format (numpy.lib.format): the magic "\x93NUMPY", a major and minor version
// byte, a little-endian header length (2 bytes in version 1, 4 in versions 2
// and 3), then a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces and a newline, then the raw array data.
//
//===----------------------------------------------------------------------===//

#include "ds/IO/TensorIO.h"
#include "Internal.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstring>
#include <optional>

using namespace mlir::ds;
using detail::makeError;
using llvm::Expected;
using llvm::StringRef;

static constexpr StringRef kMagic("\x93NUMPY", 6);

namespace {
/// A parser for the dict literal of an .npy header. It accepts exactly what
/// numpy writes (and a little more whitespace): string keys, and values that
/// are strings, True/False, or tuples of non-negative integers.
class HeaderParser {
public:
  HeaderParser(StringRef text, StringRef where) : s(text), where(where) {}

  llvm::Error parse() {
    skipSpace();
    if (!consume('{'))
      return fail("header does not start with '{'");
    while (true) {
      skipSpace();
      if (consume('}'))
        break;
      std::string key;
      if (llvm::Error e = parseString(key))
        return e;
      skipSpace();
      if (!consume(':'))
        return fail("expected ':' after key '" + key + "'");
      skipSpace();
      if (llvm::Error e = parseValue(key))
        return e;
      skipSpace();
      if (consume(','))
        continue;
      if (consume('}'))
        break;
      return fail("expected ',' or '}' after the value of '" + key + "'");
    }
    if (!descr)
      return fail("header lacks 'descr'");
    if (!fortranOrder)
      return fail("header lacks 'fortran_order'");
    if (!shape)
      return fail("header lacks 'shape'");
    return llvm::Error::success();
  }

  std::optional<std::string> descr;
  std::optional<bool> fortranOrder;
  std::optional<llvm::SmallVector<int64_t, 4>> shape;

private:
  llvm::Error fail(const llvm::Twine &msg) {
    return makeError(where, "malformed .npy header: " + msg);
  }
  void skipSpace() { s = s.ltrim(" \t\r\n"); }
  bool consume(char c) { return s.consume_front(StringRef(&c, 1)); }

  llvm::Error parseString(std::string &out) {
    if (s.empty() || (s.front() != '\'' && s.front() != '"'))
      return fail("expected a quoted string");
    char quote = s.front();
    size_t end = s.find(quote, 1);
    if (end == StringRef::npos)
      return fail("unterminated string");
    out = s.substr(1, end - 1).str();
    s = s.drop_front(end + 1);
    return llvm::Error::success();
  }

  llvm::Error parseValue(const std::string &key) {
    if (key == "descr") {
      if (!s.empty() && s.front() == '[')
        return makeError(where, "structured arrays are not supported");
      std::string v;
      if (llvm::Error e = parseString(v))
        return e;
      descr = v;
      return llvm::Error::success();
    }
    if (key == "fortran_order") {
      if (s.consume_front("True"))
        fortranOrder = true;
      else if (s.consume_front("False"))
        fortranOrder = false;
      else
        return fail("'fortran_order' is neither True nor False");
      return llvm::Error::success();
    }
    if (key == "shape")
      return parseShape();
    return fail("unexpected key '" + key + "'");
  }

  llvm::Error parseShape() {
    if (!consume('('))
      return fail("'shape' is not a tuple");
    llvm::SmallVector<int64_t, 4> dims;
    while (true) {
      skipSpace();
      if (consume(')'))
        break;
      size_t len = 0;
      while (len < s.size() && llvm::isDigit(s[len]))
        ++len;
      if (len == 0)
        return fail("'shape' holds a non-integer entry");
      int64_t dim;
      if (s.substr(0, len).getAsInteger(10, dim))
        return fail("dimension '" + s.substr(0, len) + "' is too large");
      dims.push_back(dim);
      s = s.drop_front(len);
      s.consume_front("L"); // Python 2 long literals in old files.
      skipSpace();
      if (consume(','))
        continue;
      if (consume(')'))
        break;
      return fail("expected ',' or ')' in 'shape'");
    }
    shape = std::move(dims);
    return llvm::Error::success();
  }

  StringRef s;
  StringRef where;
};
} // namespace

/// Maps a descr such as "<f4" to a dtype, rejecting big-endian data.
static Expected<dsrt_dtype> parseDescr(StringRef descr, StringRef where) {
  StringRef code = descr;
  char order = '=';
  if (!code.empty() && StringRef("<>|=").contains(code.front())) {
    order = code.front();
    code = code.drop_front();
  }
  dsrt_dtype dtype = llvm::StringSwitch<dsrt_dtype>(code)
                         .Case("f2", DSRT_F16)
                         .Case("f4", DSRT_F32)
                         .Case("f8", DSRT_F64)
                         .Case("i1", DSRT_I8)
                         .Case("i2", DSRT_I16)
                         .Case("i4", DSRT_I32)
                         .Case("i8", DSRT_I64)
                         .Case("u1", DSRT_U8)
                         .Case("u2", DSRT_U16)
                         .Case("u4", DSRT_U32)
                         .Case("u8", DSRT_U64)
                         .Case("b1", DSRT_BOOL)
                         .Case("?", DSRT_BOOL)
                         .Default(DSRT_DTYPE_INVALID);
  if (dtype == DSRT_DTYPE_INVALID)
    return makeError(where, "unsupported .npy dtype '" + descr +
                                "' (supported: f2 f4 f8 i1 i2 i4 i8 u1 u2 "
                                "u4 u8 b1)");
  if (order == '>' && dsrt_dtype_size(dtype) > 1)
    return makeError(where, "big-endian .npy data ('" + descr +
                                "') is not supported; save it as '<" + code +
                                "' (e.g. arr.astype('<" + code + "'))");
  return dtype;
}

Expected<HostTensor> mlir::ds::parseNpy(StringRef bytes, StringRef where) {
  if (!bytes.starts_with(kMagic))
    return makeError(where, "not an .npy file (missing \\x93NUMPY magic)");
  if (bytes.size() < 10)
    return makeError(where, "truncated .npy header");
  uint8_t major = static_cast<uint8_t>(bytes[6]);
  uint64_t headerLen, prefix;
  if (major == 1) {
    headerLen = llvm::support::endian::read16le(bytes.data() + 8);
    prefix = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return makeError(where, "truncated .npy header");
    headerLen = llvm::support::endian::read32le(bytes.data() + 8);
    prefix = 12;
  } else {
    return makeError(where, "unsupported .npy format version " +
                                llvm::Twine(unsigned(major)) + "." +
                                llvm::Twine(unsigned(uint8_t(bytes[7]))));
  }
  if (prefix + headerLen > bytes.size())
    return makeError(where, "truncated .npy header: it claims " +
                                llvm::Twine(headerLen) + " bytes, the file has " +
                                llvm::Twine(bytes.size() - prefix));

  HeaderParser header(bytes.substr(prefix, headerLen), where);
  if (llvm::Error e = header.parse())
    return std::move(e);
  if (*header.fortranOrder)
    return makeError(where, "Fortran-ordered arrays are not supported; save "
                            "a C-ordered copy (np.ascontiguousarray)");
  Expected<dsrt_dtype> dtype = parseDescr(*header.descr, where);
  if (!dtype)
    return dtype.takeError();

  Expected<detail::TensorSize> size =
      detail::checkTensorSize(*dtype, *header.shape, where);
  if (!size)
    return size.takeError();
  StringRef data = bytes.drop_front(prefix + headerLen);
  if (data.size() != size->numBytes)
    return makeError(where, "array data holds " + llvm::Twine(data.size()) +
                                " bytes but shape " +
                                formatTensorType(*dtype, *header.shape) +
                                " needs " + llvm::Twine(size->numBytes));

  Expected<HostTensor> t = HostTensor::create(*dtype, *header.shape);
  if (!t)
    return makeError(where, llvm::toString(t.takeError()));
  std::memcpy(t->data(), data.data(), data.size());
  if (*dtype == DSRT_BOOL)
    for (size_t i = 0; i < t->sizeInBytes(); ++i)
      t->data()[i] = t->data()[i] != 0;
  return t;
}

Expected<HostTensor> mlir::ds::readNpyFile(StringRef path) {
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                         /*RequiresNullTerminator=*/false);
  if (!buf)
    return makeError(path, "cannot read: " + buf.getError().message());
  return parseNpy((*buf)->getBuffer(), path);
}

Expected<HostTensor> mlir::ds::readTensorFile(StringRef path) {
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                         /*RequiresNullTerminator=*/false);
  if (!buf)
    return makeError(path, "cannot read: " + buf.getError().message());
  StringRef bytes = (*buf)->getBuffer();
  if (bytes.starts_with(kMagic))
    return parseNpy(bytes, path);
  return parseTensorProto(bytes, path);
}
