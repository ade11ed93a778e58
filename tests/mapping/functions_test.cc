// Every value source, function and option of the mapping model, table-driven: a field rule, a
// source record, and the canonical value (or the reject) it must give.
#include <gtest/gtest.h>

#include "mapping_test_util.h"

namespace meabridge::mapping {
namespace {

using testing::LoadMapping;
using testing::RunMapping;

struct Case {
  const char* name;
  const char* entity;       // Contacts, Decisions, Meetings, Memberships
  const char* fields;       // <field> elements (and <param>, <values> ...)
  const char* record;       // one JSON record (the mapping reads {"items": [RECORD]})
  const char* expect;       // a member of the canonical JSON that must appear ("" for none)
  const char* absent;       // a field that must be absent ("" for none)
  const char* reject_rule;  // when set: the record is rejected with this rule
  const char* reject_field;
  const char* params = "";  // k=v
};

// Contacts need treaties, Decisions and Meetings a treaty and a title, Memberships the lot:
// the helper adds constant values for the required fields a case does not map itself.
std::string BuildMapping(const Case& c) {
  std::string entity = c.entity;
  std::string fields = c.fields;
  auto has = [&](const std::string& f) {
    return fields.find("name=\"" + f + "\"") != std::string::npos;
  };
  std::string fill;
  if (entity == "Contacts" && !has("treaties")) fill += "<field name=\"treaties\" value=\"cbd\"/>";
  if ((entity == "Decisions" || entity == "Meetings") && !has("treaty")) {
    fill += "<field name=\"treaty\" value=\"cbd\"/>";
  }
  if ((entity == "Decisions" || entity == "Meetings") && !has("title")) {
    fill += "<field name=\"title\" value=\"T\" lang=\"en\"/>";
  }
  if (entity == "Memberships") {
    if (!has("treaty")) fill += "<field name=\"treaty\" value=\"cbd\"/>";
    if (!has("country")) fill += "<field name=\"country\" value=\"FR\"/>";
    if (!has("status")) fill += "<field name=\"status\" value=\"ratification\"/>";
  }
  return "<mapping entity=\"" + entity +
         "\"><decoder format=\"json\"/>"
         "<records path=\"/items/*\"/><param name=\"treaty\"/><param name=\"mode\"/>"
         "<id path=\"id\"/>" +
         fields + fill + "</mapping>";
}

class FunctionsTest : public ::testing::TestWithParam<Case> {};

TEST_P(FunctionsTest, Maps) {
  const Case& c = GetParam();
  auto m = LoadMapping(BuildMapping(c));
  ASSERT_TRUE(m.ok()) << m.status().message();
  Params params;
  for (const std::string& kv : core::Split(c.params, ' ')) {
    size_t eq = kv.find('=');
    if (eq != std::string::npos) params[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  std::string input = std::string("{\"items\": [") + c.record + "]}";
  auto out = RunMapping(**m, input, params);
  ASSERT_TRUE(out.status.ok()) << out.status.message();
  if (*c.reject_rule) {
    ASSERT_EQ(out.sink.rejects.size(), 1u) << ::testing::PrintToString(out.sink.Json());
    EXPECT_EQ(out.sink.rejects[0].rule, c.reject_rule) << out.sink.RejectsText();
    EXPECT_EQ(out.sink.rejects[0].field, c.reject_field) << out.sink.RejectsText();
    EXPECT_EQ(out.sink.rejects[0].position, "/items/0");
    EXPECT_FALSE(out.sink.rejects[0].message.empty());
    return;
  }
  ASSERT_EQ(out.sink.rejects.size(), 0u) << out.sink.RejectsText();
  ASSERT_EQ(out.sink.records.size(), 1u);
  std::string json = out.sink.Json()[0];
  if (*c.expect) {
    EXPECT_NE(json.find(c.expect), std::string::npos) << json;
  }
  if (*c.absent) {
    EXPECT_EQ(json.find(std::string("\"") + c.absent + "\":"), std::string::npos) << json;
  }
}

const Case kCases[] = {
    // ---- value sources -------------------------------------------------------------------
    {"path", "Contacts", R"(<field name="firstName" path="name/first"/>)",
     R"({"id": "1", "name": {"first": "Ann"}})", R"("firstName":"Ann")", "", "", ""},
    {"path_index", "Contacts", R"(<field name="firstName" path="names/1"/>)",
     R"({"id": "1", "names": ["Ann", "Bea"]})", R"("firstName":"Bea")", "", "", ""},
    {"path_escaped", "Contacts", R"(<field name="firstName" path="a~1b/c~0d"/>)",
     R"({"id": "1", "a/b": {"c~d": "Ann"}})", R"("firstName":"Ann")", "", "", ""},
    {"constant", "Contacts", R"(<field name="type" value="Primary focal point"/>)",
     R"({"id": "1"})", R"("type":"Primary focal point")", "", "", ""},
    {"template_fields", "Contacts",
     R"x(<field name="firstName" path="f"/><field name="lastName" path="l"/>
        <field name="position" template="{firstName} {lastName} ({param.treaty})"/>)x",
     R"({"id": "1", "f": "Ann", "l": "Lee"})", R"x("position":"Ann Lee (cbd)")x", "", "", "",
     "treaty=cbd"},
    {"template_source", "Contacts", R"(<field name="email" template="{src:user}@{src:host}"/>)",
     R"({"id": "1", "user": "ann", "host": "example.org"})", R"("email":"ann@example.org")", "", "",
     ""},
    {"template_braces", "Contacts", R"(<field name="type" template="{{{src:t}}}"/>)",
     R"({"id": "1", "t": "x"})", R"("type":"{x}")", "", "", ""},
    {"template_missing_placeholder", "Contacts",
     R"(<field name="email" template="{src:user}@{src:host}"/>)", R"({"id": "1", "user": "ann"})",
     "", "email", "", ""},
    {"first_non_empty", "Contacts",
     R"(<field name="phone"><first><option path="a"/><option path="b"/><option path="c"/></first></field>)",
     R"({"id": "1", "a": null, "b": "", "c": "+33 1"})", R"("phone":"+33 1")", "", "", ""},
    {"first_option_with_steps", "Contacts",
     R"(<field name="country"><first>
          <option path="code"><step fn="lookup" vocabulary="countries" on-miss="drop"/></option>
          <option path="name"><step fn="lookup" vocabulary="countries"/></option>
        </first></field>)",
     R"({"id": "1", "code": "XXX", "name": "Germany"})", R"("country":"DE")", "", "", ""},
    {"first_all_fail_explains", "Contacts",
     R"(<field name="country"><first>
          <option path="code"><step fn="lookup" vocabulary="countries" on-miss="drop"/></option>
          <option path="name"><step fn="lookup" vocabulary="countries"/></option>
        </first></field>)",
     R"({"id": "1", "code": "XXX", "name": "Atlantis"})", "", "", "lookup", "country"},
    {"concat", "Contacts",
     R"(<field name="address"><concat sep=", "><part path="street"/><part path="zip"/>
          <part path="city"><step fn="upper"/></part></concat></field>)",
     R"({"id": "1", "street": "1 Rue X", "zip": "", "city": "Paris"})",
     R"("address":"1 Rue X, PARIS")", "", "", ""},

    // ---- text functions --------------------------------------------------------------------
    {"trim", "Contacts", R"(<field name="firstName" path="f"><step fn="trim"/></field>)",
     "{\"id\": \"1\", \"f\": \" \\t Ann\\u00a0 \"}", R"("firstName":"Ann")", "", "", ""},
    {"trim_to_empty_is_empty", "Contacts",
     R"(<field name="firstName" path="f" on-empty="reject"><step fn="trim"/></field>)",
     R"({"id": "1", "f": "   "})", "", "", "required", "firstName"},
    {"collapse", "Contacts", R"(<field name="position" path="p"><step fn="collapse"/></field>)",
     R"({"id": "1", "p": "  Head \n of   unit "})", R"("position":"Head of unit")", "", "", ""},
    {"lower", "Contacts", R"(<field name="email" path="e"><step fn="lower"/></field>)",
     R"({"id": "1", "e": "Ann@Example.ORG"})", R"("email":"ann@example.org")", "", "", ""},
    {"upper", "Contacts", R"(<field name="type" path="t"><step fn="upper"/></field>)",
     R"({"id": "1", "t": "nfp"})", R"("type":"NFP")", "", "", ""},
    {"replace_regex", "Contacts",
     R"(<field name="phone" path="p"><step fn="replace" pattern="[^0-9+]+" with=" "/></field>)",
     R"({"id": "1", "p": "+33(1)40.81"})", R"("phone":"+33 1 40 81")", "", "", ""},
    {"replace_groups", "Contacts",
     R"(<field name="type" path="t"><step fn="replace" pattern="^(\w+), (\w+)$" with="$2 $1"/></field>)",
     R"({"id": "1", "t": "Lee, Ann"})", R"("type":"Ann Lee")", "", "", ""},
    {"replace_literal", "Contacts",
     R"(<field name="type" path="t"><step fn="replace" literal="true" pattern="." with="-"/></field>)",
     R"({"id": "1", "t": "a.b.c"})", R"("type":"a-b-c")", "", "", ""},
    {"extract", "Contacts",
     R"(<field name="email" path="t"><step fn="extract" pattern="&lt;([^&gt;]+)&gt;"/></field>)",
     R"({"id": "1", "t": "Ann Lee <ann@example.org>"})", R"("email":"ann@example.org")", "", "",
     ""},
    {"extract_group0", "Contacts",
     R"(<field name="phone" path="t"><step fn="extract" pattern="\+\d+" group="0"/></field>)",
     R"({"id": "1", "t": "call +4412 now"})", R"("phone":"+4412")", "", "", ""},
    {"extract_no_match_drops", "Contacts",
     R"(<field name="email" path="t"><step fn="extract" pattern="&lt;([^&gt;]+)&gt;"/></field>)",
     R"({"id": "1", "t": "no address"})", "", "email", "", ""},
    {"extract_no_match_reject", "Contacts",
     R"x(<field name="email" path="t"><step fn="extract" pattern="@(\w+)" on-miss="reject"/></field>)x",
     R"({"id": "1", "t": "no address"})", "", "", "extract", "email"},
    {"regex_long_value", "Contacts",
     R"(<field name="type" path="t"><step fn="replace" pattern="(\s*\d+(\s*,\s*\d+)*)+$" with=""/></field>)",
     R"({"id": "1", "t": "Czechia 4, 5"})", R"("type":"Czechia")", "", "", ""},
    {"split_join", "Contacts",
     R"(<field name="type" path="t"><step fn="split" sep=";"/><step fn="join" sep=" | "/></field>)",
     R"({"id": "1", "t": "a; b;;c "})", R"("type":"a | b | c")", "", "", ""},
    {"split_regex_to_list", "Contacts",
     R"(<field name="treaties" path="t"><step fn="split" pattern="\s*[;,/]\s*"/>
        <step fn="lookup" vocabulary="treaties"/></field>)",
     R"({"id": "1", "t": "CBD / cartagena;itpgrfa"})",
     R"("treaties":["cbd","cartagena","plant_treaty"])", "", "", ""},
    {"split_no_trim", "Contacts",
     R"(<field name="type" path="t"><step fn="split" sep="," trim="false"/><step fn="join" sep="|"/></field>)",
     R"({"id": "1", "t": "a, b"})", R"("type":"a| b")", "", "", ""},
    {"join_list", "Contacts", R"(<field name="type" path="t/*"><step fn="join"/></field>)",
     R"({"id": "1", "t": ["a", "", null, "b"]})", R"("type":"a, b")", "", "", ""},
    {"first_step", "Contacts", R"(<field name="email" path="e/*"><step fn="first"/></field>)",
     R"({"id": "1", "e": ["a@x.org", "b@x.org"]})", R"("email":"a@x.org")", "", "", ""},
    {"unique", "Contacts", R"(<field name="treaties" path="t/*"><step fn="unique"/></field>)",
     R"({"id": "1", "t": ["cbd", "basel", "cbd"]})", R"("treaties":["cbd","basel"])", "", "", ""},
    {"cardinality", "Contacts", R"(<field name="email" path="e/*"/>)",
     R"({"id": "1", "e": ["a@x.org", "b@x.org"]})", "", "", "cardinality", "email"},
    {"structured_where_text", "Contacts", R"(<field name="email" path="e"/>)",
     R"({"id": "1", "e": {"work": "a@x.org"}})", "", "", "type", "email"},
    {"number_as_text", "Contacts", R"(<field name="phone" path="p"/>)",
     R"({"id": "1", "p": 123456})", R"("phone":"123456")", "", "", ""},

    // ---- dates -----------------------------------------------------------------------------
    {"date_iso_offset", "Contacts",
     R"(<field name="updated" path="u"><step fn="date" pattern="iso"/></field>)",
     R"({"id": "1", "u": "2021-06-30T12:00:00+02:00"})", R"("updated":"2021-06-30T10:00:00Z")", "",
     "", ""},
    {"date_implicit_iso", "Contacts", R"(<field name="updated" path="u"/>)",
     R"({"id": "1", "u": "2021-06-30T12:00:00.250Z"})", R"("updated":"2021-06-30T12:00:00.250Z")",
     "", "", ""},
    {"date_implicit_needs_pattern", "Contacts", R"(<field name="updated" path="u"/>)",
     R"({"id": "1", "u": "/Date(1600000000000)/"})", "", "", "date", "updated"},
    {"date_odata", "Contacts",
     R"(<field name="updated" path="u"><step fn="date" pattern="odata"/></field>)",
     R"({"id": "1", "u": "/Date(1600000000000)/"})", R"("updated":"2020-09-13T12:26:40Z")", "", "",
     ""},
    {"date_odata_offset", "Contacts",
     R"(<field name="updated" path="u"><step fn="date" pattern="odata"/></field>)",
     R"({"id": "1", "u": "/Date(1577836800000+0100)/"})", R"("updated":"2020-01-01T00:00:00Z")", "",
     "", ""},
    {"date_odata_offset_local_date", "Memberships",
     R"(<field name="consent" path="u"><step fn="date" pattern="odata"/></field>)",
     R"({"id": "1", "u": "/Date(1577833200000+0100)/"})", R"("consent":"2020-01-01")", "", "", ""},
    {"date_d_F_Y", "Memberships",
     R"(<field name="signature" path="s"><step fn="date" pattern="d F Y"/></field>)",
     R"({"id": "1", "s": "5 June 1992"})", R"("signature":"1992-06-05")", "", "", ""},
    {"date_d_M_Y", "Memberships",
     R"(<field name="signature" path="s"><step fn="date" pattern="d M Y"/></field>)",
     R"({"id": "1", "s": "12 Sept 1992"})", R"("signature":"1992-09-12")", "", "", ""},
    {"date_dd_mm_yyyy", "Memberships",
     R"(<field name="signature" path="s"><step fn="date" pattern="dd/mm/yyyy"/></field>)",
     R"({"id": "1", "s": "05/06/1992"})", R"("signature":"1992-06-05")", "", "", ""},
    {"date_alternatives", "Memberships",
     R"(<field name="signature" path="s"><step fn="date" pattern="iso | dd/mm/yyyy | d F Y"/></field>)",
     R"({"id": "1", "s": "5 June 1992"})", R"("signature":"1992-06-05")", "", "", ""},
    {"date_untc", "Memberships",
     R"(<field name="consent" path="c"><step fn="date" pattern="untc"/></field>)",
     R"({"id": "1", "c": "19 Sep 2002 a"})", R"("consent":"2002-09-19")", "", "", ""},
    {"date_bad", "Memberships",
     R"(<field name="signature" path="s"><step fn="date" pattern="d F Y"/></field>)",
     R"({"id": "1", "s": "31 February 1992"})", "", "", "date", "signature"},
    {"date_bad_drop", "Memberships",
     R"(<field name="signature" path="s"><step fn="date" pattern="d F Y" on-miss="drop"/></field>)",
     R"({"id": "1", "s": "sometime"})", "", "signature", "", ""},
    {"date_bad_default", "Memberships",
     R"(<field name="signature" path="s"><step fn="date" pattern="d F Y" default="2000-01-01"/></field>)",
     R"({"id": "1", "s": "sometime"})", R"("signature":"2000-01-01")", "", "", ""},
    {"date_tokens_time", "Contacts",
     R"(<field name="updated" path="u"><step fn="date" pattern="dd.mm.yyyy H:i Z"/></field>)",
     R"({"id": "1", "u": "30.06.2021 12:05 +0200"})", R"("updated":"2021-06-30T10:05:00Z")", "", "",
     ""},
    {"format_date", "Contacts",
     R"(<field name="type" path="u"><step fn="date" pattern="odata"/><step fn="format-date" pattern="d F Y"/></field>)",
     R"({"id": "1", "u": "/Date(1600000000000)/"})", R"("type":"13 September 2020")", "", "", ""},
    {"untc_suffix", "Memberships",
     R"(<field name="status" path="c"><step fn="untc-suffix"/>
        <step fn="lookup" vocabulary="membership-status"/></field>)",
     R"({"id": "1", "c": "3 Oct 1994 AA"})", R"("status":"approval")", "", "", ""},
    {"untc_no_suffix_is_ratification", "Memberships",
     R"(<field name="status" path="c"><step fn="untc-suffix"/>
        <step fn="lookup" vocabulary="membership-status"/></field>)",
     R"({"id": "1", "c": "19 Sep 2002"})", R"("status":"ratification")", "", "", ""},
    {"untc_suffix_footnote", "Memberships",
     R"(<field name="status" path="c"><step fn="untc-suffix"/>
        <step fn="lookup" vocabulary="membership-status"/></field>)",
     R"({"id": "1", "c": "24 Feb 2004 a 7"})", R"("status":"accession")", "", "", ""},

    // ---- numbers and booleans ----------------------------------------------------------------
    {"int_from_number", "Decisions", R"(<field name="displayOrder" path="o"/>)",
     R"({"id": "1", "o": 3370})", R"("displayOrder":3370)", "", "", ""},
    {"int_from_text", "Decisions", R"(<field name="displayOrder" path="o"/>)",
     R"({"id": "1", "o": " 12.0 "})", R"("displayOrder":12)", "", "", ""},
    {"int_bad", "Decisions", R"(<field name="displayOrder" path="o"/>)",
     R"({"id": "1", "o": "12.5"})", "", "", "int", "displayOrder"},
    {"double_from_text", "Meetings", R"(<field name="latitude" path="l"/>)",
     R"({"id": "1", "l": "46.2214"})", R"("latitude":46.2214)", "", "", ""},
    {"number_decimal_comma", "Meetings",
     R"(<field name="latitude" path="l"><step fn="number" decimal=","/></field>)",
     R"({"id": "1", "l": "46,5"})", R"("latitude":46.5)", "", "", ""},
    {"number_bad", "Meetings", R"(<field name="latitude" path="l"><step fn="number"/></field>)",
     R"({"id": "1", "l": "north"})", "", "", "number", "latitude"},
    {"bool_from_number", "Contacts", R"(<field name="primary" path="p"/>)",
     R"({"id": "1", "p": 1})", R"("primary":true)", "", "", ""},
    {"bool_from_text", "Contacts", R"(<field name="primary" path="p"/>)",
     R"({"id": "1", "p": "No"})", R"("primary":false)", "", "", ""},
    {"bool_custom", "Contacts",
     R"(<field name="primary" path="p"><step fn="bool" true="oui|x" false="non"/></field>)",
     R"({"id": "1", "p": "X"})", R"("primary":true)", "", "", ""},
    {"bool_bad", "Contacts", R"(<field name="primary" path="p"/>)", R"({"id": "1", "p": "maybe"})",
     "", "", "bool", "primary"},

    // ---- lookups and value maps ------------------------------------------------------------
    {"lookup_code", "Contacts",
     R"(<field name="country" path="c"><step fn="lookup" vocabulary="countries"/></field>)",
     R"({"id": "1", "c": "FRA"})", R"("country":"FR")", "", "", ""},
    {"lookup_name", "Contacts",
     R"(<field name="country" path="c"><step fn="lookup" vocabulary="countries"/></field>)",
     R"x({"id": "1", "c": "Bolivia (Plurinational State of)"})x", R"("country":"BO")", "", "", ""},
    {"lookup_treaty_alias", "Contacts",
     R"(<field name="treaties" path="t/*"><step fn="lookup" vocabulary="treaties"/></field>)",
     R"({"id": "1", "t": ["itpgrfa"]})", R"("treaties":["plant_treaty"])", "", "", ""},
    {"lookup_status_word", "Memberships",
     R"(<field name="status" path="s"><step fn="lookup" vocabulary="membership-status"/></field>)",
     R"({"id": "1", "s": "Accession"})", R"("status":"accession")", "", "", ""},
    {"lookup_reject", "Contacts",
     R"(<field name="country" path="c"><step fn="lookup" vocabulary="countries"/></field>)",
     R"({"id": "1", "c": "Atlantis"})", "", "", "lookup", "country"},
    {"lookup_drop_scalar", "Contacts",
     R"(<field name="country" path="c"><step fn="lookup" vocabulary="countries" on-miss="drop"/></field>)",
     R"({"id": "1", "c": "Atlantis"})", "", "country", "", ""},
    {"lookup_drop_list_element", "Contacts",
     R"(<field name="treaties" path="t/*"><step fn="lookup" vocabulary="treaties" on-miss="drop"/></field>)",
     R"({"id": "1", "t": ["cbd", "narnia", "basel"]})", R"("treaties":["cbd","basel"])", "", "",
     ""},
    {"lookup_default", "Contacts",
     R"(<field name="country" path="c"><step fn="lookup" vocabulary="countries" default="EUU"/></field>)",
     R"({"id": "1", "c": "Atlantis"})", R"("country":"EU")", "", "", ""},
    {"lookup_keep", "Contacts",
     R"(<field name="type" path="c"><step fn="lookup" vocabulary="countries" on-miss="keep"/></field>)",
     R"({"id": "1", "c": "Atlantis"})", R"("type":"Atlantis")", "", "", ""},
    {"lookup_label", "Contacts",
     R"(<field name="type" path="c"><step fn="lookup" vocabulary="countries" output="label"/></field>)",
     R"({"id": "1", "c": "FRA"})", R"("type":"FR label")", "", "", ""},
    {"map_inline", "Contacts",
     R"(<field name="type" path="t"><step fn="map"><entry from="P" to="Primary"/><entry from="A" to="Alternate"/></step></field>)",
     R"({"id": "1", "t": "A"})", R"("type":"Alternate")", "", "", ""},
    {"map_named_ignore_case", "Contacts",
     R"(<values name="kinds" ignore-case="true"><entry from="P" to="Primary"/></values>
        <field name="type" path="t"><step fn="map" values="kinds"/></field>)",
     R"({"id": "1", "t": "p"})", R"("type":"Primary")", "", "", ""},
    {"map_miss_reject", "Contacts",
     R"(<field name="type" path="t"><step fn="map"><entry from="P" to="Primary"/></step></field>)",
     R"({"id": "1", "t": "Q"})", "", "", "map", "type"},
    {"map_miss_keep", "Contacts",
     R"(<field name="type" path="t"><step fn="map" on-miss="keep"><entry from="P" to="Primary"/></step></field>)",
     R"({"id": "1", "t": "Q"})", R"("type":"Q")", "", "", ""},
    {"map_miss_default", "Contacts",
     R"(<field name="type" path="t"><step fn="map" default="Other"><entry from="P" to="Primary"/></step></field>)",
     R"({"id": "1", "t": "Q"})", R"("type":"Other")", "", "", ""},

    // ---- null, missing and empty -----------------------------------------------------------
    {"missing_skipped", "Contacts", R"(<field name="fax" path="fax"/>)", R"({"id": "1"})", "",
     "fax", "", ""},
    {"null_skipped", "Contacts", R"(<field name="fax" path="fax"/>)", R"({"id": "1", "fax": null})",
     "", "fax", "", ""},
    {"empty_skipped", "Contacts", R"(<field name="fax" path="fax"/>)", R"({"id": "1", "fax": ""})",
     "", "fax", "", ""},
    {"on_missing_reject", "Contacts", R"(<field name="fax" path="fax" on-missing="reject"/>)",
     R"({"id": "1", "fax": null})", "", "fax", "", ""},
    {"on_missing_reject_fires", "Contacts", R"(<field name="fax" path="fax" on-missing="reject"/>)",
     R"({"id": "1"})", "", "", "required", "fax"},
    {"on_null_default", "Contacts",
     R"(<field name="fax" path="fax" default="none" on-null="default" on-missing="skip"/>)",
     R"({"id": "1", "fax": null})", R"("fax":"none")", "", "", ""},
    {"on_null_default_not_missing", "Contacts",
     R"(<field name="fax" path="fax" default="none" on-null="default" on-missing="skip"/>)",
     R"({"id": "1"})", "", "fax", "", ""},
    {"on_empty_reject", "Contacts", R"(<field name="fax" path="fax" on-empty="reject"/>)",
     R"({"id": "1", "fax": ""})", "", "", "required", "fax"},
    {"required", "Contacts", R"(<field name="email" path="email" required="true"/>)",
     R"({"id": "1", "email": null})", "", "", "required", "email"},
    {"default_all", "Contacts", R"(<field name="type" path="t" default="Focal point"/>)",
     R"({"id": "1", "t": ""})", R"("type":"Focal point")", "", "", ""},

    // ---- conditions --------------------------------------------------------------------------
    {"when_blank", "Memberships",
     R"(<field name="status"><when if="consent" is="blank" value="signatory"/>
        <otherwise path="kind"><step fn="lookup" vocabulary="membership-status"/></otherwise></field>)",
     R"({"id": "1", "consent": "", "kind": "Accession"})", R"("status":"signatory")", "", "", ""},
    {"otherwise", "Memberships",
     R"(<field name="status"><when if="consent" is="blank" value="signatory"/>
        <otherwise path="kind"><step fn="lookup" vocabulary="membership-status"/></otherwise></field>)",
     R"({"id": "1", "consent": "2001-01-01", "kind": "Accession"})", R"("status":"accession")", "",
     "", ""},
    {"when_equals", "Contacts",
     R"(<field name="primary"><when if="role" equals="main" value="true"/><otherwise value="false"/></field>)",
     R"({"id": "1", "role": "main"})", R"("primary":true)", "", "", ""},
    {"when_not_equals_ignore_case", "Contacts",
     R"(<field name="primary"><when if="role" not-equals="MAIN" ignore-case="true" value="false"/><otherwise value="true"/></field>)",
     R"({"id": "1", "role": "main"})", R"("primary":true)", "", "", ""},
    {"when_in", "Contacts", R"(<field name="type"><when if="t" in="a|b" value="listed"/></field>)",
     R"({"id": "1", "t": "b"})", R"("type":"listed")", "", "", ""},
    {"when_matches", "Contacts",
     R"(<field name="type"><when if="e" matches="@example\.org$" value="internal"/><otherwise value="external"/></field>)",
     R"({"id": "1", "e": "ann@example.org"})", R"("type":"internal")", "", "", ""},
    {"when_present_missing_null", "Contacts",
     R"(<field name="type"><when if="x" is="null" value="null"/><when if="y" is="missing" value="missing"/></field>)",
     R"({"id": "1", "x": 5})", R"("type":"missing")", "", "", ""},
    {"when_param", "Contacts",
     R"(<field name="type"><when if-param="mode" equals="strict" value="S"/><otherwise value="L"/></field>)",
     R"({"id": "1"})", R"("type":"S")", "", "", "", "mode=strict"},
    {"when_field", "Contacts",
     R"(<field name="country" path="c"/><field name="type"><when if-field="country" equals="FR" value="French"/></field>)",
     R"({"id": "1", "c": "FR"})", R"("type":"French")", "", "", ""},
    {"no_case_applies", "Contacts",
     R"(<field name="type"><when if="t" equals="x" value="X"/></field>)",
     R"({"id": "1", "t": "y"})", "", "type", "", ""},

    // ---- lists of structured items ---------------------------------------------------------
    {"items", "Decisions",
     R"(<field name="files" path="files/*"><item name="url" path="u"/><item name="language" path="l">
          <step fn="lookup" vocabulary="languages"/></item></field>)",
     R"({"id": "1", "files": [{"u": "http://x/a.pdf", "l": "French"}, {"u": "http://x/b.pdf"}]})",
     R"("files":[{"language":"fr","url":"http://x/a.pdf"},{"url":"http://x/b.pdf"}])", "", "", ""},
    {"items_from_array_node", "Decisions",
     R"(<field name="files" path="files"><item name="url" path="u"/></field>)",
     R"({"id": "1", "files": [{"u": "http://x/a.pdf"}, {}]})",
     R"("files":[{"url":"http://x/a.pdf"}])", "", "", ""},
    {"items_required_item_field", "Decisions",
     R"(<field name="files" path="files/*"><item name="url" path="u"/><item name="mimeType" path="m"/></field>)",
     R"({"id": "1", "files": [{"m": "application/pdf"}]})", "", "", "required", "files[0].url"},
    {"items_item_drop", "Decisions",
     R"(<field name="files" path="files/*"><item name="url" path="u"/>
          <item name="language" path="l"><step fn="lookup" vocabulary="languages" on-miss="drop"/></item></field>)",
     R"({"id": "1", "files": [{"u": "http://x/a.pdf", "l": "Elvish"}]})",
     R"("files":[{"url":"http://x/a.pdf"}])", "", "", ""},
    {"items_item_reject", "Decisions",
     R"(<field name="files" path="files/*"><item name="url" path="u"/>
          <item name="language" path="l"><step fn="lookup" vocabulary="languages"/></item></field>)",
     R"({"id": "1", "files": [{"u": "http://x/a.pdf", "l": "Elvish"}]})", "", "", "lookup",
     "files[0].language"},
    {"roles_flattened", "Contacts",
     R"(<field name="roles" path="roles/*/roles/*"><item name="role" path="."/>
          <item name="treaty" path="../../treaty"><step fn="lookup" vocabulary="treaties"/></item></field>)",
     R"({"id": "1", "roles": [{"treaty": "cartagena", "roles": ["BCH NFP", "Primary NFP"]},
                              {"treaty": "cbd", "roles": ["CBD NFP"]}]})",
     R"("roles":[{"role":"BCH NFP","treaty":"cartagena"},{"role":"Primary NFP","treaty":"cartagena"},{"role":"CBD NFP","treaty":"cbd"}])",
     "", "", ""},
    {"items_from_split", "Contacts",
     R"(<field name="roles" path="r"><step fn="split" sep=","/><item name="role" path="."/></field>)",
     R"({"id": "1", "r": "RC DNA CP, RC OCP"})",
     R"("roles":[{"role":"RC DNA CP"},{"role":"RC OCP"}])", "", "", ""},
    {"keywords_member_names", "Decisions",
     R"(<field name="keywords" path="k/*"><item name="term" path="~"/><item name="label" path="."/></field>)",
     R"({"id": "1", "k": {"http://www.informea.org/terms/waste": "waste"}})",
     R"("keywords":[{"label":"waste","term":"http://www.informea.org/terms/waste"}])", "", "", ""},

    // ---- multilingual values -----------------------------------------------------------------
    {"ml_keyed", "Decisions", R"(<field name="title" path="t"/>)",
     R"({"id": "1", "t": {"en": "Title", "French": "Titre", "__metadata": {}}})",
     R"("title":{"en":"Title","fr":"Titre"})", "", "", ""},
    {"ml_list", "Decisions", R"(<field name="title" path="t"><step fn="trim"/></field>)",
     R"({"id": "1", "t": [{"language": "EN", "value": " Title "}, {"__metadata": {"type": "LocalizableString"}},
                          {"language": "es", "value": ""}]})",
     R"("title":{"en":"Title"})", "", "", ""},
    {"ml_list_custom_keys", "Decisions",
     R"(<field name="title" path="t" shape="list" lang-path="lang" text-path="text"/>)",
     R"({"id": "1", "t": [{"lang": "fr", "text": "Titre"}]})", R"("title":{"fr":"Titre"})", "", "",
     ""},
    {"ml_text_with_lang", "Decisions", R"(<field name="title" path="t" lang="French"/>)",
     R"({"id": "1", "t": "Titre"})", R"("title":{"fr":"Titre"})", "", "", ""},
    {"ml_text_without_lang", "Decisions", R"(<field name="title" path="t"/>)",
     R"({"id": "1", "t": "Title"})", "", "", "language", "title"},
    {"ml_per_column", "Decisions",
     R"(<field name="title"><text lang="en" path="title_en"/><text lang="fr" path="title_fr"><step fn="trim"/></text>
        <text lang="es" path="title_es"/></field>)",
     R"({"id": "1", "title_en": "Title", "title_fr": " Titre ", "title_es": ""})",
     R"("title":{"en":"Title","fr":"Titre"})", "", "", ""},
    {"ml_unknown_language_rejects", "Decisions", R"(<field name="title" path="t"/>)",
     R"({"id": "1", "t": {"en": "Title", "tlh": "Qapla"}})", "", "", "language", "title"},
    {"ml_unknown_language_drop", "Decisions",
     R"(<field name="title" path="t" lang-on-miss="drop"/>)",
     R"({"id": "1", "t": {"en": "Title", "tlh": "Qapla"}})", R"("title":{"en":"Title"})", "", "",
     ""},
    {"ml_unknown_language_default", "Decisions",
     R"(<field name="summary" path="t" lang-default="es"/>)",
     R"({"id": "1", "t": [{"value": "Resumen"}]})", R"("summary":{"es":"Resumen"})", "", "", ""},
    {"ml_keyed_shape_rejects_list", "Decisions", R"(<field name="title" path="t" shape="keyed"/>)",
     R"({"id": "1", "t": [{"language": "en", "value": "x"}]})", "", "", "multilingual", "title"},
    {"ml_empty_list_is_no_value", "Decisions",
     R"(<field name="title" path="t"/><field name="summary" path="s"/>)",
     R"({"id": "1", "t": {"en": "T"}, "s": []})", "", "summary", "", ""},

    // ---- ids -------------------------------------------------------------------------------
    {"id_missing", "Contacts", "", R"({"x": "1"})", "", "", "id", "id"},
};

INSTANTIATE_TEST_SUITE_P(All, FunctionsTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& i) {
                           return std::string(i.param.name);
                         });

}  // namespace
}  // namespace meabridge::mapping
