// Streaming CSV reader (RFC 4180): quoted fields, embedded newlines, doubled quotes, a UTF-8
// byte order mark, CRLF / LF / CR line ends, a configurable delimiter and quote. Reads from a
// ByteSource in chunks: memory holds one row.
//
// Lenient where RFC 4180 is strict and nothing is lost: a quote inside an unquoted field is
// kept as a character; entirely blank lines are skipped. Strict where data would be lost:
// text after a closing quote makes the row carry a `problem` (the mapping rejects the row,
// the rest go on); a quoted field still open at the end of the input is a ParseError (the
// input was cut).
//
// Thread-compatible: one reader per input, used by one thread.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "codec/byte_source.h"
#include "core/status.h"

namespace meabridge::codec {

struct CsvOptions {
  char delimiter = ',';
  char quote = '"';
  size_t chunk_size = 64 * 1024;
  size_t max_row_bytes = 64 * 1024 * 1024;  // a longer row is a ParseError
};

struct CsvRow {
  std::vector<std::string> fields;
  size_t line = 0;      // 1-based line where the row starts
  std::string problem;  // "" or what is malformed in this row
};

class CsvReader {
 public:
  CsvReader(ByteSource& source, CsvOptions options);

  // Reads the next row into `row`: true, or false at the end of the input. A ParseError
  // "NAME: line N: ..." for an unterminated quoted field, an IoError from the source.
  Result<bool> Next(CsvRow* row);

  // Lines read so far.
  size_t line() const { return line_; }

 private:
  // -1 at the end of the input.
  int Get();
  int Peek();
  Status Fill();

  ByteSource& source_;
  CsvOptions options_;
  std::vector<char> buffer_;
  size_t pos_ = 0, end_ = 0;
  bool eof_ = false;
  bool started_ = false;
  size_t line_ = 1;
  Status io_;
};

}  // namespace meabridge::codec
