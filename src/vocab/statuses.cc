#include "vocab/statuses.h"

#include "vocab/table_vocabulary.h"

namespace meabridge::vocab {
namespace {

Term T(std::string code, std::string label, std::vector<std::string> aliases = {}) {
  Term t;
  t.code = std::move(code);
  t.label = std::move(label);
  t.aliases = std::move(aliases);
  return t;
}

Result<std::unique_ptr<Vocabulary>> Finish(TableVocabulary::Spec spec) {
  MB_ASSIGN_OR_RETURN(std::unique_ptr<TableVocabulary> v, TableVocabulary::Build(std::move(spec)));
  return std::unique_ptr<Vocabulary>(std::move(v));
}

}  // namespace

Result<std::unique_ptr<Vocabulary>> MakeMembershipStatus() {
  TableVocabulary::Spec spec;
  spec.name = "membership-status";
  spec.description =
      "Kind of a state's latest instrument for a treaty; accepts the UN Treaty Collection "
      "suffix codes (case-sensitive) and the words depositaries use";
  spec.terms = {
      T("signatory", "Signatory", {"Signature", "Signed", "Simple signature"}),
      T("ratification", "Ratification", {"Ratified"}),
      T("accession", "Accession", {"Acceded", "Accession (a)"}),
      T("acceptance", "Acceptance", {"Accepted", "Acceptance (A)"}),
      T("approval", "Approval", {"Approved", "Approval (AA)"}),
      T("succession", "Succession", {"Succeeded", "Succession (d)"}),
      T("definitive-signature", "Definitive signature",
        {"Signature (definitive)", "Definitive signature (s)"}),
      T("withdrawal", "Withdrawal", {"Withdrawn", "Withdrew", "Denunciation", "Denounced"}),
      // A state that continues the membership of its predecessor rather than acceding anew:
      // CITES' list of parties says "Continuation" for the Russian Federation (the USSR's) and
      // Serbia (Serbia and Montenegro's). Not succession, which the depositary words apart.
      T("continuation", "Continuation", {"Continued", "Continuity"}),
  };
  // UN Treaty Collection suffixes after the date of the instrument, matched exactly: "a" and
  // "A" differ. No suffix means ratification, but an empty value is the mapping's business, not
  // a term. "c" (formal confirmation, by international organisations) has no term of its own
  // and stays a miss rather than be guessed.
  spec.exact_forms = {
      {"a", "accession"},
      {"(a)", "accession"},
      {"A", "acceptance"},
      {"(A)", "acceptance"},
      {"AA", "approval"},
      {"(AA)", "approval"},
      {"d", "succession"},
      {"(d)", "succession"},
      {"s", "definitive-signature"},
      {"(s)", "definitive-signature"},
  };
  return Finish(std::move(spec));
}

Result<std::unique_ptr<Vocabulary>> MakeDecisionType() {
  TableVocabulary::Spec spec;
  spec.name = "decision-type";
  spec.description = "Kind of a decision adopted by a governing body";
  spec.terms = {
      T("decision", "Decision", {"Decisions"}),
      T("resolution", "Resolution", {"Resolutions"}),
      T("recommendation", "Recommendation", {"Recommendations"}),
  };
  return Finish(std::move(spec));
}

Result<std::unique_ptr<Vocabulary>> MakeDecisionStatus() {
  TableVocabulary::Spec spec;
  spec.name = "decision-status";
  spec.description = "Where a decision stands: draft, in effect, changed or no longer in effect";
  spec.terms = {
      T("draft", "Draft"),     T("active", "Active", {"In force", "In effect"}),
      T("adopted", "Adopted"), T("revised", "Revised"),
      T("amended", "Amended"), T("retired", "Retired", {"Repealed", "Superseded"}),
  };
  return Finish(std::move(spec));
}

Result<std::unique_ptr<Vocabulary>> MakeMeetingType() {
  TableVocabulary::Spec spec;
  spec.name = "meeting-type";
  spec.description = "Kind of a meeting";
  spec.terms = {
      T("cop", "Conference of the Parties", {"COP"}),
      T("mop", "Meeting of the Parties", {"MOP"}),
      T("subsidiary", "Subsidiary body", {"Subsidiary body meeting", "Subsidiary"}),
      // The standing subsidiary bodies of CITES, CMS and AEWA, each a term of its own so that a
      // partner can tell them apart. The abbreviations are the ones the secretariats' own
      // meeting-type taxonomies use (CMS's InforMEA view selects 'stc' and 'scc'); the bare
      // "SC", "AC" and "PC" are left out: SC is also the Stockholm Convention's COP and the
      // Scientific Council's sessional committee, so a guess either way could be wrong.
      T("standing-committee", "Standing Committee",
        {"StC", "Standing Committee meeting", "Meeting of the Standing Committee"}),
      T("scientific-council", "Scientific Council",
        {"ScC", "Scientific Council meeting", "Meeting of the Scientific Council"}),
      T("animals-committee", "Animals Committee",
        {"Animals Committee meeting", "Meeting of the Animals Committee"}),
      T("plants-committee", "Plants Committee",
        {"Plants Committee meeting", "Meeting of the Plants Committee"}),
      T("technical-committee", "Technical Committee",
        {"Technical Committee meeting", "Meeting of the Technical Committee"}),
      T("technical", "Technical meeting", {"Technical meetings"}),
      T("negotiation", "Negotiation meeting", {"Negotiation meetings", "Negotiation"}),
      T("working-group", "Working group", {"Open-ended working group", "OEWG"}),
      T("expert", "Expert meeting",
        {"Expert group", "Expert group meeting", "Experts meeting", "Expert meetings"}),
      T("workshop", "Workshop"),
      T("bureau", "Bureau", {"Bureau meeting"}),
      T("regional", "Regional meeting", {"Regional"}),
      T("webinar", "Webinar"),
      T("other", "Other"),
  };
  return Finish(std::move(spec));
}

Result<std::unique_ptr<Vocabulary>> MakeMeetingStatus() {
  TableVocabulary::Spec spec;
  spec.name = "meeting-status";
  spec.description = "Whether a meeting takes place as announced";
  spec.terms = {
      T("confirmed", "Confirmed"),
      T("tentative", "Tentative"),
      T("postponed", "Postponed"),
      T("cancelled", "Cancelled", {"Canceled"}),
      T("nodate", "No date", {"No date set"}),
      T("over", "Over", {"Past", "Finished"}),
  };
  return Finish(std::move(spec));
}

}  // namespace meabridge::vocab
