#include "codec/csv_reader.h"

#include <algorithm>

namespace meabridge::codec {

CsvReader::CsvReader(ByteSource& source, CsvOptions options)
    : source_(source), options_(options), buffer_(std::max<size_t>(options.chunk_size, 16)) {}

Status CsvReader::Fill() {
  if (eof_) return Status::Ok();
  Result<size_t> n = source_.Read(buffer_.data(), buffer_.size());
  if (!n.ok()) {
    eof_ = true;
    return n.status();
  }
  pos_ = 0;
  end_ = *n;
  if (end_ == 0) eof_ = true;
  return Status::Ok();
}

int CsvReader::Peek() {
  if (pos_ == end_) {
    Status s = Fill();
    if (!s.ok()) io_ = s;
    if (pos_ == end_) return -1;
  }
  return static_cast<unsigned char>(buffer_[pos_]);
}

int CsvReader::Get() {
  int c = Peek();
  if (c >= 0) ++pos_;
  return c;
}

Result<bool> CsvReader::Next(CsvRow* row) {
  if (!started_) {
    started_ = true;
    // A UTF-8 byte order mark before the first field.
    if (Peek() == 0xEF) {
      ++pos_;
      if (Peek() == 0xBB) {
        ++pos_;
        if (Peek() == 0xBF) {
          ++pos_;
        } else {
          return Status::ParseError(source_.name() + ": line 1: a broken byte order mark");
        }
      } else {
        return Status::ParseError(source_.name() + ": line 1: a broken byte order mark");
      }
    }
  }
  const int delim = static_cast<unsigned char>(options_.delimiter);
  const int quote = static_cast<unsigned char>(options_.quote);
  for (;;) {
    row->fields.clear();
    row->problem.clear();
    row->line = line_;
    std::string field;
    size_t bytes = 0;
    bool content = false;  // anything read for this row besides the line end
    bool done = false;
    bool at_end = false;
    while (!done) {
      int c = Get();
      if (c < 0) {
        at_end = true;
        break;
      }
      if (c != '\r' && c != '\n') content = true;
      if (++bytes > options_.max_row_bytes) {
        return Status::ParseError(source_.name() + ": line " + std::to_string(row->line) +
                                  ": row longer than " + std::to_string(options_.max_row_bytes) +
                                  " bytes");
      }
      if (c == quote && field.empty()) {
        // A quoted field: up to the closing quote ("" is a quote).
        size_t open_line = line_;
        for (;;) {
          int q = Get();
          if (q < 0) {
            if (!io_.ok()) return io_;
            return Status::ParseError(source_.name() + ": line " + std::to_string(open_line) +
                                      ": quoted field not closed before the end of the input");
          }
          if (++bytes > options_.max_row_bytes) {
            return Status::ParseError(source_.name() + ": line " + std::to_string(row->line) +
                                      ": row longer than " +
                                      std::to_string(options_.max_row_bytes) + " bytes");
          }
          if (q == quote) {
            if (Peek() == quote) {
              Get();
              field.push_back(static_cast<char>(quote));
              continue;
            }
            break;
          }
          if (q == '\n') ++line_;
          if (q == '\r' && Peek() != '\n') ++line_;
          field.push_back(static_cast<char>(q));
        }
        int next = Peek();
        if (next >= 0 && next != delim && next != '\n' && next != '\r' && row->problem.empty()) {
          row->problem = "text after the closing quote of field " +
                         std::to_string(row->fields.size() + 1) +
                         " (a quote inside a quoted field must be doubled)";
        }
        bool quoted_done = false;
        while (!quoted_done) {
          int n = Peek();
          if (n < 0 || n == delim || n == '\n' || n == '\r') {
            quoted_done = true;
          } else {
            field.push_back(static_cast<char>(Get()));
          }
        }
        continue;
      }
      if (c == delim) {
        row->fields.push_back(std::move(field));
        field.clear();
        continue;
      }
      if (c == '\r' || c == '\n') {
        if (c == '\r' && Peek() == '\n') Get();
        ++line_;
        done = true;
        break;
      }
      field.push_back(static_cast<char>(c));
    }
    if (!io_.ok()) return io_;
    if (!content) {  // an entirely blank line (or the end): skipped
      if (at_end) return false;
      continue;
    }
    row->fields.push_back(std::move(field));
    return true;
  }
}

}  // namespace meabridge::codec
