#include "harvest/sources/whole_document.h"

namespace meabridge::harvest {

Status ReadWholeDocument(RunContext& ctx, const std::string& source_name, const PageState& page,
                         const std::function<Result<std::unique_ptr<codec::ByteSource>>()>& open) {
  const PageState* before = ctx.previous.FindPage(page.url);
  if (!ctx.reconcile && before && before->sha1 == page.sha1 &&
      ctx.previous.fingerprint == ctx.fingerprint && ctx.previous.pages.size() == 1) {
    ctx.not_modified = true;
    ctx.next.pages = {page};
    return Status::Ok();
  }
  MB_ASSIGN_OR_RETURN(std::unique_ptr<codec::ByteSource> in, open());
  ctx.spool.BeginPage();
  MB_ASSIGN_OR_RETURN(const mapping::Mapping* m, ctx.mapping());
  Result<mapping::DocumentInfo> info = m->Run(*in, ctx.params, ctx.spool);
  if (!info.ok()) {
    if (info.status().code() == Status::Code::kAborted) return info.status();
    return info.status().WithContext("source '" + source_name + "'");
  }
  for (const std::string& w : info->warnings) ctx.Warn(w);
  ctx.ReportProgress("decode");
  ctx.next.pages = {page};
  return Status::Ok();
}

}  // namespace meabridge::harvest
