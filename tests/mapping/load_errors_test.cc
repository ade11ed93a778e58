// Every load error of a mapping file: refused with file:line:column, what is wrong and what is
// expected. Table-driven, in the XML form (and a few in the JSON form).
#include <gtest/gtest.h>

#include "mapping_test_util.h"

namespace meabridge::mapping {
namespace {

using testing::LoadMapping;

struct Case {
  const char* name;
  const char* mapping;
  const char* where;     // "test.mapping:L:C" the error must point at
  const char* expected;  // substrings the message must contain, separated by |
};

class LoadErrorsTest : public ::testing::TestWithParam<Case> {};

TEST_P(LoadErrorsTest, RefusedWithPositionAndExpectation) {
  const Case& c = GetParam();
  auto m = LoadMapping(c.mapping);
  ASSERT_FALSE(m.ok()) << "loaded: " << c.mapping;
  const std::string& msg = m.status().message();
  EXPECT_NE(msg.find(c.where), std::string::npos) << msg;
  for (const std::string& part : core::Split(c.expected, '|')) {
    EXPECT_NE(msg.find(part), std::string::npos) << "missing '" << part << "' in: " << msg;
  }
}

// The head every case shares; line 1 is <mapping ...>.
#define HEAD \
  "<mapping entity=\"Contacts\">\n<decoder format=\"json\"/>\n<records path=\"/items/*\"/>\n"

const Case kCases[] = {
    {"not_a_mapping", "<mappings entity=\"Contacts\"/>", "test.mapping:1:1",
     "root element is <mappings>|expected <mapping>"},
    {"unknown_entity", "<mapping entity=\"People\"><decoder format=\"json\"/></mapping>",
     "test.mapping:1:1", "unknown entity 'People'|Contacts, Memberships, Decisions, Meetings"},
    {"unknown_direction",
     "<mapping entity=\"Contacts\" direction=\"sideways\">\n<decoder format=\"json\"/><records "
     "path=\"/x\"/><id path=\"id\"/></mapping>",
     "test.mapping:1:1", "direction=\"sideways\"|inbound or outbound"},
    {"missing_id", HEAD "<field name=\"email\" path=\"e\"/>\n</mapping>", "test.mapping:1:1",
     "missing id rule|<id path=|template="},
    {"missing_decoder", "<mapping entity=\"Contacts\">\n<id path=\"id\"/>\n</mapping>",
     "test.mapping:1:1", "missing <decoder format=\"json|xml|csv\"/>"},
    {"unknown_decoder",
     "<mapping entity=\"Contacts\">\n<decoder format=\"yaml\"/>\n<id path=\"id\"/></mapping>",
     "test.mapping:2:1", "unknown decoder format 'yaml'|expected json, xml or csv"},
    {"missing_records",
     "<mapping entity=\"Contacts\">\n<decoder format=\"json\"/>\n<id path=\"id\"/></mapping>",
     "test.mapping:1:1", "missing <records path=|/d/results/*"},
    {"bad_records_pointer",
     "<mapping entity=\"Contacts\">\n<decoder format=\"json\"/>\n<records "
     "path=\"d/results\"/>\n<id path=\"id\"/></mapping>",
     "test.mapping:3:1", "not a JSON pointer|must start with '/'"},
    {"records_in_csv",
     "<mapping entity=\"Contacts\">\n<decoder format=\"csv\"/>\n<records path=\"/x\"/>\n<id "
     "path=\"id\"/></mapping>",
     "test.mapping:3:1", "one record per row|remove <records>"},
    {"unknown_element", HEAD "<id path=\"id\"/>\n<feild name=\"email\" path=\"e\"/>\n</mapping>",
     "test.mapping:5:1", "unknown element <feild>|expected one of: <decoder>, <records>, <paging>, <param>"},
    {"unknown_attribute", HEAD "<id path=\"id\"/>\n<field name=\"email\" pth=\"e\"/>\n</mapping>",
     "test.mapping:5:1",
     "unknown attribute 'pth' on <field>|expected one of: path, value, template"},
    {"unknown_function",
     HEAD "<id path=\"id\"/>\n<field name=\"email\" path=\"e\">\n  <step "
          "fn=\"trm\"/>\n</field>\n</mapping>",
     "test.mapping:6:3", "unknown function 'trm'|expected one of: trim, collapse, lower"},
    {"step_without_fn",
     HEAD "<id path=\"id\"/>\n<field name=\"email\" path=\"e\"><step/></field>\n</mapping>",
     "test.mapping:5:", "<step> needs fn=|trim"},
    {"unknown_step_attribute",
     HEAD "<id path=\"id\"/>\n<field name=\"email\" path=\"e\"><step fn=\"trim\" "
          "mode=\"both\"/></field>\n</mapping>",
     "test.mapping:5:", "unknown attribute 'mode' on <step>|expected one of: fn"},
    {"unknown_field", HEAD "<id path=\"id\"/>\n<field name=\"mail\" path=\"e\"/>\n</mapping>",
     "test.mapping:5:1",
     "unknown canonical field 'mail' of Contacts|expected one of: id, updated, treaties, country, "
     "prefix, firstName"},
    {"field_id", HEAD "<id path=\"id\"/>\n<field name=\"id\" path=\"e\"/>\n</mapping>",
     "test.mapping:5:1", "the id is given by <id"},
    {"field_twice",
     HEAD "<id path=\"id\"/>\n<field name=\"email\" path=\"e\"/>\n<field name=\"email\" "
          "path=\"f\"/>\n</mapping>",
     "test.mapping:6:1", "field 'email' is mapped twice"},
    {"no_value_source", HEAD "<id path=\"id\"/>\n<field name=\"email\"/>\n</mapping>",
     "test.mapping:5:1", "has no value|path=|value=|template=|<first>"},
    {"two_value_sources",
     HEAD "<id path=\"id\"/>\n<field name=\"email\" path=\"e\" value=\"x\"/>\n</mapping>",
     "test.mapping:5:1", "2 value sources|exactly one"},
    {"unknown_vocabulary",
     HEAD "<id path=\"id\"/>\n<field name=\"country\" path=\"c\"><step fn=\"lookup\" "
          "vocabulary=\"nations\"/></field>\n</mapping>",
     "test.mapping:5:",
     "unknown vocabulary 'nations'|expected one of: countries, treaties, languages"},
    {"wrong_vocabulary",
     HEAD "<id path=\"id\"/>\n<field name=\"country\" path=\"c\"><step fn=\"lookup\" "
          "vocabulary=\"treaties\"/></field>\n</mapping>",
     "test.mapping:5:1", "holds countries codes|treaties vocabulary|vocabulary=\"countries\""},
    {"lookup_default_not_a_term",
     HEAD "<id path=\"id\"/>\n<field name=\"country\" path=\"c\"><step fn=\"lookup\" "
          "vocabulary=\"countries\" default=\"Atlantis\"/></field>\n</mapping>",
     "test.mapping:5:", "default \"Atlantis\" is not a term of the countries vocabulary"},
    {"bad_regex",
     HEAD "<id path=\"id\"/>\n<field name=\"email\" path=\"e\"><step fn=\"replace\" "
          "pattern=\"([a-z\" with=\"\"/></field>\n</mapping>",
     "test.mapping:5:", "bad regular expression '([a-z'|ECMAScript"},
    {"regex_required",
     HEAD "<id path=\"id\"/>\n<field name=\"email\" path=\"e\"><step "
          "fn=\"extract\"/></field>\n</mapping>",
     "test.mapping:5:", "needs pattern=\"REGEX\""},
    {"bad_group",
     HEAD "<id path=\"id\"/>\n<field name=\"email\" path=\"e\"><step fn=\"extract\" "
          "pattern=\"(a)\" group=\"2\"/></field>\n</mapping>",
     "test.mapping:5:", "group=\"2\"|from 0 to 1"},
    {"bad_date_pattern",
     HEAD "<id path=\"id\"/>\n<field name=\"updated\" path=\"u\"><step fn=\"date\" "
          "pattern=\"YYYY-MM-DD\"/></field>\n</mapping>",
     "test.mapping:5:", "bad date pattern|unknown date token 'D'"},
    {"bad_date_token",
     HEAD "<id path=\"id\"/>\n<field name=\"updated\" path=\"u\"><step fn=\"date\" pattern=\"d F Y "
          "q\"/></field>\n</mapping>",
     "test.mapping:5:", "unknown date token 'q'|tokens are yyyy"},
    {"date_without_pattern",
     HEAD "<id path=\"id\"/>\n<field name=\"updated\" path=\"u\"><step "
          "fn=\"date\"/></field>\n</mapping>",
     "test.mapping:5:", "needs pattern=|iso, odata, untc"},
    {"date_on_bool",
     HEAD "<id path=\"id\"/>\n<field name=\"primary\" path=\"p\"><step fn=\"date\" "
          "pattern=\"iso\"/></field>\n</mapping>",
     "test.mapping:5:1", "type mismatch: field 'primary' is bool|gives a date"},
    {"date_on_string",
     HEAD "<id path=\"id\"/>\n<field name=\"email\" path=\"p\"><step fn=\"date\" "
          "pattern=\"iso\"/></field>\n</mapping>",
     "test.mapping:5:1", "type mismatch|format-date"},
    {"bool_on_date",
     "<mapping entity=\"Memberships\"><decoder format=\"json\"/><records path=\"/x\"/><id "
     "path=\"id\"/>\n<field name=\"signature\" path=\"s\"><step fn=\"bool\"/></field></mapping>",
     "test.mapping:2:1", "type mismatch: field 'signature' is date|a boolean"},
    {"text_step_after_date",
     HEAD "<id path=\"id\"/>\n<field name=\"updated\" path=\"u\"><step fn=\"date\" "
          "pattern=\"iso\"/><step fn=\"lower\"/></field>\n</mapping>",
     "test.mapping:5:", "function 'lower' expects text|the step before gives a date"},
    {"bad_on_miss",
     HEAD "<id path=\"id\"/>\n<field name=\"country\" path=\"c\"><step fn=\"lookup\" "
          "vocabulary=\"countries\" on-miss=\"ignore\"/></field>\n</mapping>",
     "test.mapping:5:", "on-miss is \"ignore\"|reject, drop, default or keep"},
    {"on_miss_default_without_default",
     HEAD "<id path=\"id\"/>\n<field name=\"country\" path=\"c\"><step fn=\"lookup\" "
          "vocabulary=\"countries\" on-miss=\"default\"/></field>\n</mapping>",
     "test.mapping:5:", "needs a default=\"...\""},
    {"bad_policy",
     HEAD "<id path=\"id\"/>\n<field name=\"email\" path=\"e\" on-null=\"ignore\"/>\n</mapping>",
     "test.mapping:5:", "on-null is \"ignore\"|skip, reject or default"},
    {"bad_bool_attribute",
     HEAD "<id path=\"id\"/>\n<field name=\"email\" path=\"e\" required=\"yes\"/>\n</mapping>",
     "test.mapping:5:", "'required' is \"yes\"|true or false"},
    {"template_unknown_field", HEAD "<id template=\"{mail}\"/>\n</mapping>",
     "test.mapping:4:", "template '{mail}'|unknown canonical field 'mail'"},
    {"template_unknown_param", HEAD "<id template=\"{param.treaty}:{country}\"/>\n</mapping>",
     "test.mapping:4:", "parameter 'treaty'|<param name=\"treaty\"/>"},
    {"template_unclosed", HEAD "<id template=\"{country\"/>\n</mapping>",
     "test.mapping:4:", "'{' is not closed|{param.NAME}"},
    {"template_multilingual_field",
     "<mapping entity=\"Decisions\"><decoder format=\"json\"/><records path=\"/x\"/>\n<id "
     "template=\"{title}\"/></mapping>",
     "test.mapping:2:", "which is multilingual|scalar fields"},
    {"cycle",
     HEAD "<id path=\"id\"/>\n<field name=\"email\" template=\"{phone}\"/>\n<field name=\"phone\" "
          "template=\"{email}\"/>\n</mapping>",
     "test.mapping:", "cycle: email, phone"},
    {"reads_itself",
     HEAD "<id path=\"id\"/>\n<field name=\"email\" template=\"{email}x\"/>\n</mapping>",
     "test.mapping:5:1", "reads itself"},
    {"multilingual_attr_on_text_field",
     HEAD "<id path=\"id\"/>\n<field name=\"email\" path=\"e\" lang=\"en\"/>\n</mapping>",
     "test.mapping:5:1", "lang= applies to multilingual fields|'email' is string"},
    {"unknown_language",
     "<mapping entity=\"Decisions\"><decoder format=\"json\"/><records path=\"/x\"/><id "
     "path=\"id\"/>\n<field name=\"title\" path=\"t\" lang=\"xx\"/></mapping>",
     "test.mapping:2:", "lang=\"xx\" is not a language"},
    {"bad_shape",
     "<mapping entity=\"Decisions\"><decoder format=\"json\"/><records path=\"/x\"/><id "
     "path=\"id\"/>\n<field name=\"title\" path=\"t\" shape=\"map\"/></mapping>",
     "test.mapping:2:1", "shape=\"map\"|auto, keyed, list or text"},
    {"shape_text_without_lang",
     "<mapping entity=\"Decisions\"><decoder format=\"json\"/><records path=\"/x\"/><id "
     "path=\"id\"/>\n<field name=\"title\" path=\"t\" shape=\"text\"/></mapping>",
     "test.mapping:2:1", "shape=\"text\" needs lang="},
    {"bad_lang_on_miss",
     "<mapping entity=\"Decisions\"><decoder format=\"json\"/><records path=\"/x\"/><id "
     "path=\"id\"/>\n<field name=\"title\" path=\"t\" lang-on-miss=\"en\"/></mapping>",
     "test.mapping:2:1", "never silently taken as English"},
    {"text_needs_lang",
     "<mapping entity=\"Decisions\"><decoder format=\"json\"/><records path=\"/x\"/><id "
     "path=\"id\"/>\n<field name=\"title\"><text path=\"t\"/></field></mapping>",
     "test.mapping:2:", "<text> needs lang="},
    {"item_on_scalar_field",
     HEAD "<id path=\"id\"/>\n<field name=\"email\" path=\"e\"><item name=\"x\" "
          "path=\"x\"/></field>\n</mapping>",
     "test.mapping:5:", "<item> applies to item-list fields"},
    {"item_list_without_items",
     HEAD "<id path=\"id\"/>\n<field name=\"roles\" path=\"r\"/>\n</mapping>", "test.mapping:5:1",
     "needs <item name=|treaty, role"},
    {"unknown_item_field",
     HEAD "<id path=\"id\"/>\n<field name=\"roles\" path=\"r\"><item name=\"function\" "
          "path=\".\"/></field>\n</mapping>",
     "test.mapping:5:", "items have no field 'function'|treaty, role"},
    {"when_without_test",
     HEAD
     "<id path=\"id\"/>\n<field name=\"type\"><when if=\"t\" value=\"x\"/></field>\n</mapping>",
     "test.mapping:5:", "needs exactly one test|is=\"missing|equals="},
    {"when_bad_is",
     HEAD "<id path=\"id\"/>\n<field name=\"type\"><when if=\"t\" is=\"absent\" "
          "value=\"x\"/></field>\n</mapping>",
     "test.mapping:5:", "is=\"absent\"|missing, null, empty, blank or present"},
    {"when_and_path",
     HEAD "<id path=\"id\"/>\n<field name=\"type\" path=\"t\"><when if=\"t\" is=\"blank\" "
          "value=\"x\"/></field>\n</mapping>",
     "test.mapping:5:1", "has <when> cases and path="},
    {"otherwise_alone",
     HEAD "<id path=\"id\"/>\n<field name=\"type\"><otherwise value=\"x\"/></field>\n</mapping>",
     "test.mapping:5:", "<otherwise> without <when>"},
    {"if_param_undeclared",
     HEAD "<id path=\"id\"/>\n<field name=\"type\"><when if-param=\"mode\" equals=\"x\" "
          "value=\"x\"/></field>\n</mapping>",
     "test.mapping:5:", "if-param names 'mode'|<param>"},
    {"skip_on_field",
     HEAD "<skip if-field=\"country\" is=\"blank\"/>\n<id path=\"id\"/>\n</mapping>",
     "test.mapping:4:1", "cannot test a canonical field"},
    {"deleted_on_field",
     HEAD "<deleted if-field=\"country\" is=\"blank\"/>\n<id path=\"id\"/>\n</mapping>",
     "test.mapping:4:1", "<deleted> cannot test a canonical field|if=\"PATH\""},
    {"deleted_path_attribute",
     HEAD "<deleted path=\"@removed\" present=\"true\"/>\n<id path=\"id\"/>\n</mapping>",
     "test.mapping:4:", "unknown attribute 'path' on <deleted>|if, if-field, if-param, is"},
    {"deleted_without_subject", HEAD "<deleted is=\"present\"/>\n<id path=\"id\"/>\n</mapping>",
     "test.mapping:4:1", "<deleted> needs exactly one of if=\"PATH\""},
    {"deleted_without_test", HEAD "<deleted if=\"@removed\"/>\n<id path=\"id\"/>\n</mapping>",
     "test.mapping:4:1", "<deleted> needs exactly one test|is=\"missing"},
    {"deleted_bad_regex",
     HEAD "<deleted if=\"status\" matches=\"(del\"/>\n<id path=\"id\"/>\n</mapping>",
     "test.mapping:4:", "bad regular expression '(del'"},
    {"deleted_with_steps",
     HEAD "<deleted if=\"status\" equals=\"x\"><step fn=\"trim\"/></deleted>\n<id "
          "path=\"id\"/>\n</mapping>",
     "test.mapping:4:", "unknown element <step> in <deleted>|no child elements"},
    {"deleted_in_outbound",
     "<mapping entity=\"Contacts\" direction=\"outbound\"><encoder format=\"json\"/>\n"
     "<deleted if=\"x\" is=\"present\"/></mapping>",
     "test.mapping:2:1", "unknown element <deleted> in <mapping>"},
    {"json_form_deleted_bad_test",
     "{\"mapping\": {\"entity\": \"Contacts\", \"decoder\": {\"format\": \"json\"},\n"
     " \"records\": {\"path\": \"/value/*\"}, \"id\": {\"path\": \"id\"},\n"
     " \"deleted\": {\"if\": \"@removed\",\n   \"is\": \"gone\"}}}",
     "test.mapping:4:", "is=\"gone\"|expected missing, null, empty, blank or present"},
    {"map_without_entries",
     HEAD
     "<id path=\"id\"/>\n<field name=\"type\" path=\"t\"><step fn=\"map\"/></field>\n</mapping>",
     "test.mapping:5:", "map needs <entry from="},
    {"map_unknown_values",
     HEAD "<id path=\"id\"/>\n<field name=\"type\" path=\"t\"><step fn=\"map\" "
          "values=\"kinds\"/></field>\n</mapping>",
     "test.mapping:5:", "unknown value map 'kinds'"},
    {"duplicate_entry",
     HEAD "<values name=\"k\"><entry from=\"a\" to=\"b\"/><entry from=\"a\" "
          "to=\"c\"/></values>\n<id path=\"id\"/>\n</mapping>",
     "test.mapping:4:", "duplicate <entry from=\"a\">"},
    {"param_twice", HEAD "<param name=\"t\"/><param name=\"t\"/>\n<id path=\"id\"/>\n</mapping>",
     "test.mapping:4:", "parameter 't' declared twice"},
    {"bad_json_path", HEAD "<id path=\"id\"/>\n<field name=\"email\" path=\"a//b\"/>\n</mapping>",
     "test.mapping:5:", "bad path|empty segment"},
    {"bad_xpath",
     "<mapping entity=\"Contacts\"><decoder format=\"xml\"/><records path=\"/feed/entry\"/><id "
     "path=\"id\"/>\n<field name=\"email\" path=\"a[[\"/></mapping>",
     "test.mapping:2:", "bad XPath 'a[['|XPath 1.0"},
    {"bad_records_xpath",
     "<mapping entity=\"Contacts\"><decoder format=\"xml\"/>\n<records path=\"/feed/\"/><id "
     "path=\"id\"/></mapping>",
     "test.mapping:2:", "bad XPath '/feed/'"},
    {"bad_namespace",
     "<mapping entity=\"Contacts\"><decoder format=\"xml\">\n<namespace "
     "prefix=\"a\"/></decoder><records path=\"/a\"/><id path=\"id\"/></mapping>",
     "test.mapping:2:", "<namespace> needs uri="},
    {"bad_delimiter",
     "<mapping entity=\"Contacts\">\n<decoder format=\"csv\" delimiter=\";;\"/><id "
     "path=\"id\"/></mapping>",
     "test.mapping:2:", "delimiter=\";;\"|one character"},
    {"text_content",
     HEAD "<id path=\"id\"/>\n<field name=\"email\" path=\"e\">e-mail</field>\n</mapping>",
     "test.mapping:5:1", "holds text|values are given in attributes"},
    {"outbound_loaded_as_inbound",
     "<mapping entity=\"Contacts\" direction=\"outbound\"><encoder format=\"json\"/></mapping>",
     "test.mapping:1:1", "this is an outbound mapping"},
    {"xml_syntax", "<mapping entity=\"Contacts\">\n<field name=\"email\" path=\"e\">\n</mapping>",
     "test.mapping:3:", "XML error"},
    {"json_form_unknown_function",
     "{\"mapping\": {\"entity\": \"Contacts\", \"decoder\": {\"format\": \"json\"},\n"
     " \"records\": {\"path\": \"/x\"}, \"id\": {\"path\": \"id\"},\n"
     " \"field\": [{\"name\": \"email\", \"path\": \"e\",\n   \"step\": {\"fn\": \"trm\"}}]}}",
     "test.mapping:4:", "unknown function 'trm'|expected one of: trim"},
    {"json_form_unknown_field",
     "{\"mapping\": {\"entity\": \"Contacts\", \"decoder\": {\"format\": \"json\"},\n"
     " \"records\": {\"path\": \"/x\"}, \"id\": {\"path\": \"id\"},\n"
     " \"field\": [{\"name\": \"mail\", \"path\": \"e\"}]}}",
     "test.mapping:3:", "unknown canonical field 'mail'|firstName"},
    {"json_syntax", "{\"mapping\": {\"entity\": \"Contacts\",,}}", "test.mapping:1:", "JSON error"},
};

INSTANTIATE_TEST_SUITE_P(All, LoadErrorsTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& i) {
                           return std::string(i.param.name);
                         });

TEST(LoadErrorsTest, EveryErrorIsReportedAtOnce) {
  auto m = LoadMapping(
      HEAD
      "<field name=\"mail\" path=\"e\"/>\n"
      "<field name=\"country\" path=\"c\"><step fn=\"lookup\" vocabulary=\"x\"/></field>\n"
      "</mapping>");
  ASSERT_FALSE(m.ok());
  const std::string& msg = m.status().message();
  EXPECT_NE(msg.find("missing id rule"), std::string::npos) << msg;
  EXPECT_NE(msg.find("test.mapping:4:1: <field name=\"mail\">: unknown canonical field"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("unknown vocabulary 'x'"), std::string::npos) << msg;
  EXPECT_GE(std::count(msg.begin(), msg.end(), '\n'), 2) << msg;
}

TEST(LoadErrorsTest, FromAFileNamesTheFile) {
  auto m = Mapping::Load("/nonexistent/mapping.xml", testing::TestVocabularies());
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("/nonexistent/mapping.xml"), std::string::npos);
  auto t = Mapping::Load("/etc/hostname", testing::TestVocabularies());
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find(".xml or .json"), std::string::npos);
}

}  // namespace
}  // namespace meabridge::mapping
