#include "core/json.h"

#include <string>

namespace meabridge {

void ThrowJsonAssertion(const char* expr, const char* file, int line) {
  throw JsonAssertion(std::string("RapidJSON assertion failed: ") + expr + " at " + file + ":" +
                      std::to_string(line));
}

}  // namespace meabridge

namespace meabridge::json {

TextPosition PositionOf(std::string_view text, size_t offset) {
  TextPosition pos;
  if (offset > text.size()) offset = text.size();
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++pos.line;
      pos.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++pos.column;  // count code points, not UTF-8 continuation bytes
    }
  }
  return pos;
}

Status Parse(std::string_view text, rapidjson::Document& doc) {
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(text.data(),
                                                                                    text.size());
  if (!doc.HasParseError()) return Status::Ok();
  TextPosition pos = PositionOf(text, doc.GetErrorOffset());
  return Status::ParseError("JSON parse error at line " + std::to_string(pos.line) + ", column " +
                            std::to_string(pos.column) + " (offset " +
                            std::to_string(doc.GetErrorOffset()) +
                            "): " + rapidjson::GetParseError_En(doc.GetParseError()));
}

const rapidjson::Value* Member(const rapidjson::Value& obj, std::string_view name) {
  if (!obj.IsObject()) return nullptr;
  auto it = obj.FindMember(rapidjson::Value(rapidjson::StringRef(name.data(), name.size())));
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

std::string ToString(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace meabridge::json
