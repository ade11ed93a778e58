// meabridge vocab list|lookup: shows what a source value will map to.
#include <ostream>

#include "cli/common.h"
#include "vocab/vocabulary.h"

namespace meabridge::cli {
namespace {

constexpr const char* kUsage =
    "usage: meabridge vocab list VOCAB\n"
    "       meabridge vocab lookup VOCAB TERM...\n"
    "\n"
    "list    prints every canonical term of VOCAB: code, label, and (countries) names in the six\n"
    "        UN languages, aliases, parents of protocols.\n"
    "lookup  prints, per TERM, the canonical code and label it resolves to, or 'no match'\n"
    "        (exit 1 when any TERM has no match).\n"
    "\n"
    "VOCAB is one of: countries, treaties, membership-status, decision-type, decision-status,\n"
    "meeting-type, meeting-status, languages.\n"
    "\n"
    "examples:\n"
    "  meabridge vocab lookup countries \"Bolivia (Plurinational State of)\" GBR 250\n"
    "  meabridge vocab lookup membership-status a AA Ratification\n";

int Vocab(const std::vector<std::string>& argv, Io& io) {
  Args args;
  if (!ParseArgsOrReport("vocab", argv, {}, io, &args)) return kExitUsage;
  const auto& pos = args.positional();
  if (pos.empty() || (pos[0] != "list" && pos[0] != "lookup")) {
    io.err << "meabridge vocab: say list or lookup\n\n" << kUsage;
    return kExitUsage;
  }
  if (pos.size() < 2) {
    io.err << "meabridge vocab " << pos[0] << ": name a vocabulary\n\n" << kUsage;
    return kExitUsage;
  }
  Result<std::unique_ptr<vocab::Vocabularies>> vocabs = vocab::Vocabularies::Load();
  if (!vocabs.ok()) {
    io.err << "meabridge vocab: " << vocabs.status().message() << "\n";
    return kExitFailed;
  }
  const vocab::Vocabulary* v = (*vocabs)->Find(pos[1]);
  if (!v) {
    io.err << "meabridge vocab: unknown vocabulary '" << pos[1]
           << "' (one of: " << (*vocabs)->Names() << ")\n";
    return kExitUsage;
  }
  if (pos[0] == "list") {
    if (pos.size() > 2) {
      io.err << "meabridge vocab list: takes one vocabulary\n";
      return kExitUsage;
    }
    for (const vocab::Term& t : v->terms()) {
      io.out << t.code << "\t" << t.label;
      if (!t.parent.empty()) io.out << "\tparent=" << t.parent;
      if (t.historical) io.out << "\t(historical)";
      for (const auto& [lang, label] : t.labels) io.out << "\t" << lang << "=" << label;
      if (!t.aliases.empty()) {
        io.out << "\taliases=";
        for (size_t i = 0; i < t.aliases.size(); ++i) io.out << (i ? "|" : "") << t.aliases[i];
      }
      io.out << "\n";
    }
    return kExitOk;
  }
  if (pos.size() < 3) {
    io.err << "meabridge vocab lookup: give at least one TERM\n";
    return kExitUsage;
  }
  int rc = kExitOk;
  for (size_t i = 2; i < pos.size(); ++i) {
    const vocab::Term* t = v->Lookup(pos[i]);
    io.out << pos[i] << "\t";
    if (t) {
      io.out << t->code << "\t" << t->label << "\n";
    } else {
      io.out << "no match\n";
      rc = kExitFailed;
    }
  }
  return rc;
}

}  // namespace

void RegisterVocab(std::vector<Command>& out) {
  out.push_back(Command{"vocab", "list a vocabulary, or see what values map to", kUsage, Vocab});
}

}  // namespace meabridge::cli
