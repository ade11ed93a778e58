#include "daemon/web/status_page.h"

#include <cstdio>
#include <map>
#include <set>
#include <vector>

#include "core/percent.h"
#include "core/time.h"
#include "core/version.h"
#include "core/xml_text.h"
#include "mapping/outbound.h"
#include "publish/http/request.h"
#include "store/reject_groups.h"
#include "store/run_counts.h"

namespace meabridge::daemon::web {
namespace {

using core::XmlEscape;

// Inline: the page loads nothing else (no fonts, no scripts, no images).
constexpr const char* kStyle = R"(
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1b1f23;background:#fff}
h1{font-size:1.5em;margin:0 0 .2em}h2{font-size:1.15em;margin:1.6em 0 .4em}
table{border-collapse:collapse;margin:.3em 0}
th,td{border:1px solid #d0d7de;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.n{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#1a7f37;font-weight:600}.failed,.aborted,.partial{color:#cf222e;font-weight:600}
.err{color:#cf222e;white-space:pre-wrap;max-width:40em}.warn{color:#9a6700}
.muted{color:#57606a}ul{margin:0;padding-left:1.2em}code{font-size:.95em}
form.inline{display:inline}label{display:block;margin:.6em 0 .2em}
input[type=password]{font:inherit;width:24em;max-width:100%}button{font:inherit;margin-top:.6em}
)";

std::string H(std::string_view s) { return core::XmlEscape(s); }

std::string TimeText(core::EpochMs ms) {
  return ms > 0 ? core::FormatDateTime(ms) : std::string("—");
}

std::string Seconds(core::EpochMs from, core::EpochMs to) {
  if (from <= 0 || to < from) return "—";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", static_cast<double>(to - from) / 1000.0);
  return buf;
}

void Link(std::string& out, const std::string& href, std::string_view text) {
  out += "<a href=\"" + H(href) + "\">" + H(text) + "</a>";
}

// The document's head and the start of its body, up to and with the <h1>.
std::string Head(std::string_view title) {
  std::string o =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>";
  o += H(title);
  o += "</title>\n<style>";
  o += kStyle;
  o += "</style>\n</head>\n<body>\n<h1>" + H(title) + "</h1>\n";
  return o;
}

// A form button posting to /status/sign-out.
std::string SignOutForm(const std::string& base) {
  return "<form method=\"post\" action=\"" + H(base) +
         "status/sign-out\" class=\"inline\"><button type=\"submit\" id=\"sign-out\">sign "
         "out</button></form>";
}

}  // namespace

Result<std::string> RenderStatusPage(const StatusPageInput& in) {
  const Control& control = *in.control;
  const model::Registry& registry = *in.registry;
  const std::string& base = in.base_url;
  std::shared_ptr<const config::Config> config = control.config();
  bool admin_on = config && !config->admin_token_file.empty();
  std::vector<SourceState> sources = control.Sources();

  MB_ASSIGN_OR_RETURN(std::unique_ptr<store::ReadView> view, in.store->Read());
  StoreFiguresCache uncached(registry);
  MB_ASSIGN_OR_RETURN(std::shared_ptr<const StoreFigures> figures,
                      (in.figures ? *in.figures : uncached).Get(*in.store, *view));
  const store::StoreInfo& info = figures->info;

  std::string o;
  o.reserve(32 * 1024);
  o += Head("meabridge status");
  o += "<p class=\"muted\">meabridge ";
  o += H(kVersion);
  o += " · page generated " + H(TimeText(in.now)) + " · ";
  o += control.Ready() ? "<span class=\"ok\" id=\"ready\">ready</span>"
                       : "<span class=\"failed\" id=\"ready\">not ready</span>";
  o += "<br/>store: " + H(info.backend) + " <code>" + H(store::RedactStoreLocation(info.location)) +
       "</code>, schema " + std::to_string(info.schema_version) + ", change sequence " +
       std::to_string(info.max_seq) + ", " + std::to_string(info.runs) + " runs recorded</p>\n";

  // ---- sources ----
  o += "<h2>Sources</h2>\n";
  if (sources.empty()) {
    o += "<p>No sources are configured.</p>\n";
  } else {
    o += "<table id=\"sources\">\n<thead><tr><th>source</th><th>kind</th><th>schedule</th>"
         "<th>enabled</th><th>next run</th><th>running now</th></tr></thead>\n<tbody>\n";
    for (const SourceState& s : sources) {
      o += "<tr data-source=\"" + H(s.name) + "\"><td>" + H(s.name) + "</td><td>" + H(s.kind) +
           "</td><td><code>" + H(s.schedule) + "</code></td><td>" + (s.enabled ? "yes" : "no") +
           "</td><td>" + H(s.next_run_ms > 0 ? TimeText(s.next_run_ms) : "—") + "</td><td>";
      o += s.running
               ? "<span class=\"warn\">running since " + H(TimeText(s.running_since_ms)) + "</span>"
               : std::string("no");
      o += "</td></tr>\n";
    }
    o += "</tbody>\n</table>\n";
  }

  // ---- last run per source ----
  o += "<h2>Last run per source</h2>\n";
  o += "<table id=\"last-runs\">\n<thead><tr><th>source</th><th>run</th><th>status</th>"
       "<th>started</th><th>duration</th>";
  for (const store::RunCountField& f : store::kRunCountFields) {
    if (f.records) o += "<th>" + std::string(f.name) + "</th>";
  }
  o += "<th>warnings</th><th>error</th></tr></thead>\n<tbody>\n";
  for (const SourceState& s : sources) {
    MB_ASSIGN_OR_RETURN(std::vector<store::RunRecord> runs, view->Runs(s.name, 1));
    o += "<tr data-source=\"" + H(s.name) + "\"><td>" + H(s.name) + "</td>";
    if (runs.empty()) {
      o += "<td colspan=\"12\" class=\"muted\">no run recorded yet</td></tr>\n";
      continue;
    }
    const store::RunRecord& r = runs.front();
    const store::RunCounts& c = r.counts;
    std::string status_class =
        r.status == "ok" || r.status == "failed" || r.status == "partial" ? r.status : "aborted";
    o += "<td class=\"n\">" + std::to_string(r.id) + "</td><td class=\"" + status_class + "\">" +
         H(r.status) + (r.full ? " (full)" : "") + "</td><td>" + H(TimeText(r.started)) +
         "</td><td class=\"n\">" + H(Seconds(r.started, r.finished)) + "</td>";
    for (const store::RunCountField& f : store::kRunCountFields) {
      // rejected, the last of them, has its cell below: a link to the rejects
      if (f.records && f.member != &store::RunCounts::rejected) {
        o += "<td class=\"n\">" + std::to_string(c.*f.member) + "</td>";
      }
    }
    o += "<td class=\"n\">";
    if ((admin_on || in.rejects_published) && c.rejected > 0) {
      Link(o, base + "status/rejects?run=" + std::to_string(r.id), std::to_string(c.rejected));
    } else {
      o += std::to_string(c.rejected);
    }
    o += "</td><td>";
    if (!r.warnings.empty()) {
      o += "<ul class=\"warn\">";
      for (const std::string& w : r.warnings) o += "<li>" + H(w) + "</li>";
      o += "</ul>";
    }
    o += "</td><td class=\"err\">" + H(r.error) + "</td></tr>\n";
  }
  o += "</tbody>\n</table>\n";
  if (in.rejects_published) {
    o += "<p class=\"muted\" id=\"rejects-access\">A run's rejected count links to its "
         "rejects (published: publish-rejects=\"true\").</p>\n";
  } else if (in.signed_in) {
    o += "<p class=\"muted\" id=\"rejects-access\">Signed in with the admin token: a run's "
         "rejected count links to its rejects. " +
         SignOutForm(base) + "</p>\n";
  } else if (admin_on) {
    o += "<p class=\"muted\" id=\"rejects-access\">A run's rejected count links to its "
         "rejects, shown once you ";
    Link(o, base + "status/sign-in", "sign in with the admin token");
    o += "; runs are also in the admin API (<code>" + H(base) +
         "admin/</code>, bearer token).</p>\n";
  }

  // ---- records ----
  std::map<std::string, int64_t> tombstones(info.tombstones_by_entity.begin(),
                                            info.tombstones_by_entity.end());
  std::map<std::string, int64_t> live(info.live_records.begin(), info.live_records.end());
  o += "<h2>Records</h2>\n<table id=\"records\">\n<thead><tr><th>entity set</th><th>live</th>"
       "<th>deleted (tombstones)</th><th>feeds</th></tr></thead>\n<tbody>\n";
  for (const model::EntitySpec& e : registry.entities()) {
    o += "<tr data-entity=\"" + H(e.set_name) + "\"><td>" + H(e.set_name) +
         "</td><td class=\"n\">" + std::to_string(live[e.set_name]) + "</td><td class=\"n\">" +
         std::to_string(tombstones[e.set_name]) + "</td><td>";
    Link(o, base + "odata/v4/" + e.set_name, "OData V4");
    o += " · ";
    Link(o, base + "informea.svc/" + e.set_name, "OData V2");
    o += " · ";
    Link(o, base + "feeds/" + e.name + ".atom", "Atom");
    o += " · ";
    Link(o, base + "export/" + e.name + ".csv", "CSV");
    o += " · ";
    Link(o, base + "ld/" + e.name, "JSON-LD");
    o += "</td></tr>\n";
  }
  o += "</tbody>\n</table>\n";

  // ---- per treaty ----
  std::vector<const model::EntitySpec*> by_treaty;
  std::map<std::string, std::map<std::string, int64_t>> treaty_counts;  // treaty -> set -> n
  for (const StoreFigures::PerTreaty& p : figures->per_treaty) {
    by_treaty.push_back(p.entity);
    for (const auto& [treaty, n] : p.counts) treaty_counts[treaty][p.entity->set_name] = n;
  }
  o += "<h2>Records per treaty</h2>\n";
  if (treaty_counts.empty()) {
    o += "<p class=\"muted\">No records name a treaty yet.</p>\n";
  } else {
    o += "<table id=\"treaties\">\n<thead><tr><th>treaty</th>";
    for (const model::EntitySpec* e : by_treaty) o += "<th>" + H(e->set_name) + "</th>";
    o += "</tr></thead>\n<tbody>\n";
    for (const auto& [treaty, counts] : treaty_counts) {
      o += "<tr data-treaty=\"" + H(treaty) + "\"><td>" + H(treaty) + "</td>";
      for (const model::EntitySpec* e : by_treaty) {
        auto it = counts.find(e->set_name);
        o += "<td class=\"n\">" + std::to_string(it == counts.end() ? 0 : it->second) + "</td>";
      }
      o += "</tr>\n";
    }
    o += "</tbody>\n</table>\n";
  }

  // ---- feeds ----
  o += "<h2>Feeds and endpoints</h2>\n<ul id=\"feeds\">\n";
  auto item = [&](const std::string& path, std::string_view what) {
    o += "<li>";
    Link(o, base + path, "/" + path);
    o += " — " + H(what) + "</li>\n";
  };
  item("odata/v4/", "OData V4 service document");
  item("odata/v4/$metadata", "OData V4 metadata (CSDL)");
  item("informea.svc/", "the InforMEA OData V2 dialect");
  item("informea.svc/$metadata", "OData V2 metadata (EDMX)");
  item("informea.svc/v3/", "the InforMEA dialect in its V3 form");
  item("ld/", "JSON-LD index");
  item("vocab/", "vocabularies");
  item("metrics", "Prometheus metrics");
  item("healthz", "liveness probe");
  item("readyz", "readiness probe");
  if (in.publish && !in.publish->profiles.empty()) {
    for (const publish::Profile& p : in.publish->profiles) {
      const model::EntitySpec& e = p.mapping->entity();
      item("feeds/" + core::PercentEncode(p.name) + "/" + e.name,
           "partner profile " + p.name + ": " + e.set_name);
    }
  } else if (config) {
    std::set<std::string> seen;
    for (const config::ProfileConfig& p : config->profiles) {
      if (!seen.insert(p.name).second) continue;
      o += "<li>partner profile " + H(p.name) + ": <code>" + H(base) + "feeds/" + H(p.name) +
           "/ENTITY</code></li>\n";
    }
  }
  o += "</ul>\n</body>\n</html>\n";
  return o;
}

Result<std::string> RenderRejectsPage(const RejectsPageInput& in) {
  const std::string& base = in.base_url;
  MB_ASSIGN_OR_RETURN(std::unique_ptr<store::ReadView> view, in.store->Read());
  MB_ASSIGN_OR_RETURN(std::optional<store::RunRecord> run, view->Run(in.run_id));
  if (!run) {
    return Status::NotFound("no run " + std::to_string(in.run_id) +
                            " in the store; the status page links to each source's last run");
  }
  MB_ASSIGN_OR_RETURN(std::vector<store::Reject> rejects, view->Rejects(in.run_id, kRejectsShown));
  const store::RunRecord& r = *run;
  const store::RunCounts& c = r.counts;
  std::string o = Head("Rejects of run " + std::to_string(r.id) + " of " + r.source);
  std::string status_class =
      r.status == "ok" || r.status == "failed" || r.status == "partial" ? r.status : "aborted";
  o += "<p id=\"run\">source <strong>" + H(r.source) + "</strong> · <span class=\"" +
       status_class + "\">" + H(r.status) + "</span> · started " + H(TimeText(r.started)) +
       " · fetched " + std::to_string(c.fetched) + ", created " + std::to_string(c.created) +
       ", updated " + std::to_string(c.updated) + ", unchanged " + std::to_string(c.unchanged) +
       ", deleted " + std::to_string(c.deleted) + ", <strong>rejected " +
       std::to_string(c.rejected) + "</strong></p>\n<p class=\"muted\">";
  Link(o, base + "status", "back to the status page");
  o += " · the same on the command line: <code>meabridge rejects --run " + std::to_string(r.id) +
       "</code>";
  if (in.signed_in) o += " · " + SignOutForm(base);
  o += "</p>\n";
  if (!r.error.empty()) o += "<p class=\"err\">" + H(r.error) + "</p>\n";
  if (rejects.empty()) {
    o += "<p>This run rejected nothing.</p>\n</body>\n</html>\n";
    return o;
  }
  o += "<h2>By field and rule</h2>\n<table id=\"reject-groups\">\n<thead><tr><th>field</th>"
       "<th>rule</th><th>rejects</th><th>first examples</th></tr></thead>\n<tbody>\n";
  for (const store::RejectGroup& g : store::GroupRejects(rejects, 3)) {
    o += "<tr data-group=\"" + H(g.field + "/" + g.rule) + "\"><td>" + H(g.field) + "</td><td>" +
         H(g.rule) + "</td><td class=\"n\">" + std::to_string(g.count) + "</td><td><ul>";
    for (const store::Reject& e : g.examples) o += "<li>" + H(store::RejectLine(e)) + "</li>";
    o += "</ul></td></tr>\n";
  }
  o += "</tbody>\n</table>\n";
  o += "<h2>Every reject</h2>\n";
  if (c.rejected > static_cast<int64_t>(rejects.size())) {
    o += "<p class=\"muted\">The first " + std::to_string(rejects.size()) + " of " +
         std::to_string(c.rejected) + "; <code>meabridge rejects --run " + std::to_string(r.id) +
         "</code> lists them all.</p>\n";
  }
  o += "<table id=\"rejects\">\n<thead><tr><th>record id</th><th>position</th><th>field</th>"
       "<th>rule</th><th>value</th><th>message</th></tr></thead>\n<tbody>\n";
  for (const store::Reject& j : rejects) {
    o += "<tr data-record=\"" + H(j.record_id) + "\"><td>" + H(j.record_id) + "</td><td>" +
         H(j.position) + "</td><td>" + H(j.field) + "</td><td>" + H(j.rule) + "</td><td><code>" +
         H(j.value) + "</code></td><td>" + H(j.message) + "</td></tr>\n";
  }
  o += "</tbody>\n</table>\n</body>\n</html>\n";
  return o;
}

std::string RenderSignInPage(const std::string& base_url, const std::string& next,
                             const std::string& message) {
  std::string o = Head("Sign in to the status page");
  if (!message.empty()) o += "<p class=\"err\" id=\"message\">" + H(message) + "</p>\n";
  o += "<p>Rejects show record ids, values and messages from the sources: they are shown to "
       "whoever knows the admin token (<code>&lt;admin token-file&gt;</code>). The browser keeps "
       "a signed cookie for 12 hours; the token itself is not kept.</p>\n"
       "<form method=\"post\" action=\"" +
       H(base_url) + "status/sign-in\" id=\"sign-in\">\n<input type=\"hidden\" name=\"next\" "
       "value=\"" + H(next) + "\"/>\n<label for=\"token\">admin token</label>\n"
       "<input type=\"password\" id=\"token\" name=\"token\" autocomplete=\"current-password\" "
       "required=\"required\"/><br/>\n<button type=\"submit\">sign in</button>\n</form>\n<p>";
  Link(o, base_url + "status", "back to the status page");
  o += "</p>\n</body>\n</html>\n";
  return o;
}

}  // namespace meabridge::daemon::web
