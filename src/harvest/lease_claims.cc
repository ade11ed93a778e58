#include "harvest/lease_claims.h"

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/log.h"

namespace meabridge::harvest {
namespace {

class LeaseClaim final : public SourceClaim {
 public:
  LeaseClaim(std::unique_ptr<SourceClaim> local, std::unique_ptr<store::SourceLease> lease,
             int64_t ttl_ms, std::function<void(const std::string&)> on_lost)
      : local_(std::move(local)), lease_(std::move(lease)) {
    if (!lease_) return;
    const auto period = std::chrono::milliseconds(std::max<int64_t>(ttl_ms / 3, 50));
    renewer_ = std::jthread([this, period, on_lost = std::move(on_lost)](std::stop_token stop) {
      std::mutex mu;
      std::condition_variable_any cv;
      while (true) {
        {
          std::unique_lock lock(mu);
          cv.wait_for(lock, stop, period, [] { return false; });
          if (stop.stop_requested()) return;
        }
        Status st = lease_->Renew();
        if (!st.ok()) {
          core::LogRun(core::LogLevel::kError, lease_->source(), 0,
                       "lost the lease on the source (" + st.message() +
                           "); stopping its run, which commits nothing");
          if (on_lost) on_lost(lease_->source());
          return;
        }
      }
    });
  }
  ~LeaseClaim() override {
    if (renewer_.joinable()) {
      renewer_.request_stop();
      renewer_.join();
    }
    lease_.reset();  // releases the lease before the in-process claim
    local_.reset();
  }

 private:
  std::unique_ptr<SourceClaim> local_;
  std::unique_ptr<store::SourceLease> lease_;
  std::jthread renewer_;
};

}  // namespace

LeaseClaims::LeaseClaims(store::Store& store, Options options)
    : store_(store), options_(std::move(options)) {
  if (options_.node_id.empty()) options_.node_id = DefaultNodeId();
}

std::string LeaseClaims::DefaultNodeId() {
  char host[256] = {0};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = 0;
  return std::string(host[0] ? host : "localhost") + ":" + std::to_string(::getpid());
}

Result<std::unique_ptr<SourceClaim>> LeaseClaims::Claim(const std::string& source) {
  MB_ASSIGN_OR_RETURN(std::unique_ptr<SourceClaim> local, LocalClaims::Instance().Claim(source));
  std::unique_ptr<store::SourceLease> lease;
  Result<std::unique_ptr<store::SourceLease>> got =
      store_.TryLeaseSource(source, options_.node_id, options_.ttl_ms);
  if (got.ok()) {
    if (!*got) {
      return Status::FailedPrecondition("source '" + source +
                                        "' is being harvested by another process or node "
                                        "sharing the store (its lease is held)");
    }
    lease = std::move(*got);
  } else if (got.status().code() != Status::Code::kUnimplemented) {
    return Status(got.status()).WithContext("source '" + source + "': cannot take its lease");
  }
  if (options_.admit) {
    Status admitted = options_.admit(source);
    if (!admitted.ok()) return admitted;  // `lease` and `local` release on return
  }
  return std::unique_ptr<SourceClaim>(std::make_unique<LeaseClaim>(
      std::move(local), std::move(lease), options_.ttl_ms, options_.on_lost));
}

}  // namespace meabridge::harvest
