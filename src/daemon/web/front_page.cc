#include "daemon/web/front_page.h"

#include "core/percent.h"
#include "core/version.h"
#include "daemon/web/assets.h"
#include "daemon/web/docs.h"
#include "mapping/outbound.h"
#include "publish/http/request.h"
#include "core/xml_text.h"

namespace meabridge::daemon::web {
namespace {

using core::XmlEscape;

constexpr const char* kStyle = R"(
body{font:15px/1.5 system-ui,sans-serif;margin:1.5em auto;max-width:60em;padding:0 1em;color:#1b1f23}
h1{font-size:1.6em;margin:0}h2{font-size:1.15em;margin:1.5em 0 .4em}p{margin:.3em 0}
table{border-collapse:collapse}th,td{border:1px solid #d0d7de;padding:.25em .6em;text-align:left}
th{background:#f6f8fa}.muted{color:#57606a}ul{margin:0;padding-left:1.2em}
)";

std::string Open(const std::string& base, const std::string& title) {
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>" +
         core::XmlEscape(title) + "</title>\n" + IconLink(base) + "<style>" + kStyle +
         "</style>\n</head>\n<body>\n";
}

std::string A(const std::string& href, const std::string& text) {
  return "<a href=\"" + core::XmlEscape(href) + "\">" + core::XmlEscape(text) + "</a>";
}

// The first "# " heading of a Markdown page, else its file name.
std::string DocTitle(const EmbeddedDoc& d) {
  std::string_view t = d.text;
  if (t.substr(0, 2) == "# ") return std::string(t.substr(2, t.find('\n') - 2));
  return std::string(d.name);
}

}  // namespace

std::string RenderFrontPage(const model::Registry& registry, const publish::Context* publish,
                            const std::string& base) {
  std::string o = Open(base, "meabridge");
  o += "<h1>meabridge</h1>\n<p class=\"muted\">meabridge " + core::XmlEscape(kVersion) +
       ": the records of multilateral environmental agreements, harvested from their sources "
       "and published in the InforMEA model.</p>\n";
  o += "<p>" + A(base + "status", "Status") + " (sources, last runs, counts) · " +
       A(base + "docs/", "Documentation") + " · " + A(base + "metrics", "Metrics") + "</p>\n";

  o += "<h2>Services</h2>\n<ul id=\"services\">\n";
  auto item = [&](const std::string& path, const std::string& what) {
    o += "<li>" + A(base + path, "/" + path) + " — " + core::XmlEscape(what) + "</li>\n";
  };
  item("odata/v4/", "OData V4 service document (JSON)");
  item("odata/v4/$metadata", "OData V4 metadata (CSDL)");
  item("informea.svc/", "the InforMEA OData V2 dialect, as the InforMEA harvester reads it");
  item("informea.svc/$metadata", "OData V2 metadata (EDMX)");
  item("informea.svc/v3/",
       "the same dialect in its V3 form (collections inline), for V3 clients such as the "
       "InforMEA harvester's CBD migrations");
  item("ld/", "JSON-LD index");
  item("vocab/", "vocabularies: treaties, countries, languages, types and statuses");
  o += "</ul>\n";

  o += "<h2>Entity sets</h2>\n<table id=\"entity-sets\">\n<thead><tr><th>entity set</th>"
       "<th>feeds</th></tr></thead>\n<tbody>\n";
  for (const model::EntitySpec& e : registry.entities()) {
    o += "<tr data-entity=\"" + core::XmlEscape(e.set_name) + "\"><td>" + core::XmlEscape(e.set_name) +
         "</td><td>" + A(base + "odata/v4/" + e.set_name, "OData V4") + " · " +
         A(base + "informea.svc/" + e.set_name, "OData V2") + " · " +
         A(base + "feeds/" + e.name + ".atom", "Atom") + " · " +
         A(base + "export/" + e.name + ".csv", "CSV") + " · " +
         A(base + "ld/" + e.name, "JSON-LD") + "</td></tr>\n";
  }
  o += "</tbody>\n</table>\n";

  if (publish && !publish->profiles.empty()) {
    o += "<h2>Partner profiles</h2>\n<ul id=\"profiles\">\n";
    for (const publish::Profile& p : publish->profiles) {
      const model::EntitySpec& e = p.mapping->entity();
      item("feeds/" + core::PercentEncode(p.name) + "/" + e.name,
           "partner profile " + p.name + ": " + e.set_name);
    }
    o += "</ul>\n";
  }
  o += "<p class=\"muted\">OData clients reading this address with <code>Accept: "
       "application/json</code> get the OData V4 service document.</p>\n</body>\n</html>\n";
  return o;
}

std::string RenderDocsIndex(const std::string& base) {
  std::string o = Open(base, "meabridge documentation");
  o += "<h1>meabridge documentation</h1>\n<p class=\"muted\">The pages of this version (" +
       core::XmlEscape(kVersion) + "), as Markdown. " + A(base, "Back to the front page") +
       ".</p>\n<ul id=\"docs\">\n";
  for (const EmbeddedDoc& d : EmbeddedDocs()) {
    o += "<li>" + A(base + "docs/" + std::string(d.name), DocTitle(d)) +
         " <span class=\"muted\">(" + core::XmlEscape(d.name) + ")</span></li>\n";
  }
  o += "</ul>\n</body>\n</html>\n";
  return o;
}

}  // namespace meabridge::daemon::web
