// The vocabulary source kind: the terms of one of meabridge's own vocabularies, as the JSON
// document /vocab/NAME publishes (vocab/vocabulary_json.h), decoded through the mapping. It is
// how the embedded default fills Treaties from the treaties vocabulary
// (mappings/vocab/treaties.json), so that the treaty list is published with no source to set
// up. The document is the same for the same meabridge: an unchanged one (same SHA-1, mapping,
// parameters and version) is not decoded again, like an unchanged file (whole_document.h).
#include "core/hash.h"
#include "harvest/sources/source.h"
#include "harvest/sources/whole_document.h"
#include "vocab/vocabulary.h"
#include "vocab/vocabulary_json.h"

namespace meabridge::harvest {
namespace {

class VocabularySource final : public Source {
 public:
  explicit VocabularySource(const config::SourceConfig& cfg) : cfg_(cfg) {}

  Status Read(RunContext& ctx) override {
    MB_ASSIGN_OR_RETURN(std::unique_ptr<vocab::Vocabularies> loaded, vocab::Vocabularies::Load());
    const vocab::Vocabulary* v = loaded->Find(cfg_.vocabulary);
    if (!v) {
      return Status::InvalidArgument("source '" + cfg_.name + "': there is no vocabulary '" +
                                     cfg_.vocabulary + "'; there are " + loaded->Names());
    }
    std::string doc = vocab::VocabularyJson(*v);
    core::Hasher hasher;
    std::string sha1 = hasher.Hex(doc);
    ++ctx.pages;
    ctx.bytes += static_cast<int64_t>(doc.size());
    return ReadWholeDocument(
        ctx, cfg_.name, PageState{"vocab:" + cfg_.vocabulary, "", "", sha1},
        [this, &doc]() -> Result<std::unique_ptr<codec::ByteSource>> {
          return codec::ByteSource::FromString(std::move(doc), "vocabulary " + cfg_.vocabulary);
        });
  }

 private:
  const config::SourceConfig& cfg_;
};

}  // namespace

void RegisterVocabularySource(SourceRegistry& registry) {
  registry.Add("vocabulary",
               [](const config::SourceConfig& cfg) -> Result<std::unique_ptr<Source>> {
                 return std::unique_ptr<Source>(std::make_unique<VocabularySource>(cfg));
               });
}

}  // namespace meabridge::harvest
