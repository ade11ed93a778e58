// Lease-backed claims (harvest/lease_claims.h) on a real SQLite store: a source leased by one
// holder is refused to another (another process or node) and free again after the claim ends;
// the admission check runs under the lease and a refusal releases it; a lease lost during a
// run (a renewal that fails) stops the run, which commits nothing; a run's start is when it
// holds its claim.
#include "harvest/lease_claims.h"

#include <atomic>
#include <chrono>
#include <thread>

#include "core/time.h"
#include "harvest_fixture.h"

namespace meabridge::harvest::test {
namespace {

using testing::Reply;
using testing::SeenRequest;

// Forwards to a real store; its leases can be made to fail their renewals.
class FlakyLeaseStore final : public store::Store {
 public:
  explicit FlakyLeaseStore(store::Store& inner) : inner_(inner) {}
  Result<std::unique_ptr<store::ReadView>> Read() override { return inner_.Read(); }
  Result<std::unique_ptr<store::RunWriter>> BeginRun(std::string_view source, core::EpochMs started,
                                                     bool full) override {
    return inner_.BeginRun(source, started, full);
  }
  Result<int64_t> RecordFailedRun(const store::RunRecord& run) override {
    return inner_.RecordFailedRun(run);
  }
  Result<store::StoreInfo> Info() override { return inner_.Info(); }
  Result<std::unique_ptr<store::SourceLease>> TryLeaseSource(std::string_view source,
                                                             std::string_view node_id,
                                                             int64_t ttl_ms) override {
    MB_ASSIGN_OR_RETURN(std::unique_ptr<store::SourceLease> lease,
                        inner_.TryLeaseSource(source, node_id, ttl_ms));
    if (!lease) return lease;
    return std::unique_ptr<store::SourceLease>(
        std::make_unique<Flaky>(std::move(lease), &renewals_, &fail_renewals_));
  }
  std::atomic<int> renewals_{0};
  std::atomic<bool> fail_renewals_{false};

 private:
  class Flaky final : public store::SourceLease {
   public:
    Flaky(std::unique_ptr<store::SourceLease> inner, std::atomic<int>* renewals,
          std::atomic<bool>* fail)
        : inner_(std::move(inner)), renewals_(renewals), fail_(fail) {}
    const std::string& source() const override { return inner_->source(); }
    const std::string& node_id() const override { return inner_->node_id(); }
    Status Renew() override {
      ++*renewals_;
      if (*fail_) return Status::Unavailable("the lease's connection broke (test)");
      return inner_->Renew();
    }

   private:
    std::unique_ptr<store::SourceLease> inner_;
    std::atomic<int>* renewals_;
    std::atomic<bool>* fail_;
  };
  store::Store& inner_;
};

class LeaseClaimsTest : public HarvestTest {};

// Grants the claim only after the clock moved on, as when another node held the source's lease
// until its run committed.
class LateClaims final : public SourceClaims {
 public:
  LateClaims(core::ManualClock& clock, int64_t wait_ms) : clock_(clock), wait_ms_(wait_ms) {}
  Result<std::unique_ptr<SourceClaim>> Claim(const std::string& source) override {
    clock_.Advance(wait_ms_);
    return LocalClaims::Instance().Claim(source);
  }

 private:
  core::ManualClock& clock_;
  int64_t wait_ms_;
};

TEST_F(LeaseClaimsTest, ARunStartsWhenItHoldsTheClaimNotBefore) {
  const core::EpochMs t0 = *core::ParseDateTime("2024-05-01T10:00:00Z");
  core::ManualClock manual(t0);
  clock_ = &manual;
  testing::HttpTestServer server(
      [](const SeenRequest&) { return Reply::Json(V2Page(MakeContacts(2))); });
  LateClaims claims(manual, 26);
  HarvesterDeps deps = Deps();
  deps.claims = &claims;
  Harvester h(config_, *store_, deps);
  RunReport r = h.Run(Source("late", server.Url("/")), {});
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.started, t0 + 26);
  std::vector<store::RunRecord> runs = Runs("late");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].started, t0 + 26)
      << "the recorded start is when the run held the claim, not when it asked for it (else it "
         "can precede the end of the run that held the lease meanwhile)";
}

TEST_F(LeaseClaimsTest, ALeasedSourceIsRefusedToAnotherHolderUntilReleased) {
  LeaseClaims::Options a_opts;
  a_opts.node_id = "node-a";
  a_opts.ttl_ms = 3000;
  LeaseClaims a(*store_, a_opts);
  auto claim = a.Claim("cbd-contacts");
  ASSERT_TRUE(claim.ok()) << claim.status().ToString();
  // Another node: the store's lease refuses it (the in-process claim is not what stops it:
  // the lease is taken directly, as a second process would).
  auto other = store_->TryLeaseSource("cbd-contacts", "node-b", 3000);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  EXPECT_EQ(*other, nullptr);
  // In this process, a second claim is refused too, with a message that says why.
  auto again = a.Claim("cbd-contacts");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), Status::Code::kFailedPrecondition);
  // Another source is free.
  EXPECT_TRUE(a.Claim("cms-contacts").ok());
  claim->reset();
  auto after = store_->TryLeaseSource("cbd-contacts", "node-b", 3000);
  ASSERT_TRUE(after.ok());
  EXPECT_NE(*after, nullptr) << "released with the claim";
}

TEST_F(LeaseClaimsTest, ALeaseHeldElsewhereFailsTheClaim) {
  auto held = store_->TryLeaseSource("cbd-contacts", "node-b", 3000);
  ASSERT_TRUE(held.ok() && *held);
  LeaseClaims a(*store_, {});
  auto claim = a.Claim("cbd-contacts");
  ASSERT_FALSE(claim.ok());
  EXPECT_EQ(claim.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(claim.status().message().find("another process or node"), std::string::npos)
      << claim.status().message();
  // The in-process claim was given back: once the other holder is gone it can be taken.
  held->reset();
  EXPECT_TRUE(a.Claim("cbd-contacts").ok());
}

TEST_F(LeaseClaimsTest, TheAdmissionCheckRunsUnderTheLeaseAndARefusalReleasesIt) {
  LeaseClaims::Options o;
  bool leased_during_check = false;
  o.admit = [&](const std::string& source) {
    auto probe = store_->TryLeaseSource(source, "prober", 3000);
    leased_during_check = probe.ok() && *probe == nullptr;
    return Status::Aborted("already harvested for this slot");
  };
  LeaseClaims a(*store_, o);
  auto claim = a.Claim("cbd-contacts");
  ASSERT_FALSE(claim.ok());
  EXPECT_EQ(claim.status().message(), "already harvested for this slot");
  EXPECT_TRUE(leased_during_check);
  auto after = store_->TryLeaseSource("cbd-contacts", "node-b", 3000);
  ASSERT_TRUE(after.ok());
  EXPECT_NE(*after, nullptr);
}

TEST_F(LeaseClaimsTest, AHarvestAlsoSkipsASourceLeasedElsewhere) {
  testing::HttpTestServer server([](const SeenRequest&) { return Reply::Json(V2Page({})); });
  auto held = store_->TryLeaseSource("busy", "node-b", 3000);
  ASSERT_TRUE(held.ok() && *held);
  LeaseClaims claims(*store_, {});
  HarvesterDeps deps = Deps();
  deps.claims = &claims;
  Harvester h(config_, *store_, deps);
  RunReport r = h.Run(Source("busy", server.Url("/")), {});
  EXPECT_FALSE(r.claimed);
  EXPECT_EQ(server.request_count(), 0u);
  EXPECT_TRUE(Runs("busy").empty()) << "a skipped run is not recorded";
}

TEST_F(LeaseClaimsTest, ALostLeaseStopsTheRunWhichCommitsNothing) {
  FlakyLeaseStore flaky(*store_);
  std::stop_source stop;
  std::atomic<int> lost{0};
  LeaseClaims::Options o;
  o.ttl_ms = 300;  // renewed every 100 ms
  o.on_lost = [&](const std::string& source) {
    EXPECT_EQ(source, "slow");
    ++lost;
    stop.request_stop();
  };
  LeaseClaims claims(flaky, o);
  // The page takes 5 s; renewals succeed twice, then the lease is lost.
  testing::HttpTestServer server([&](const SeenRequest&) {
    Reply r = Reply::Json(V2Page(MakeContacts(3)));
    r.delay_ms = 5000;
    return r;
  });
  std::thread breaker([&] {
    while (flaky.renewals_ < 2) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    flaky.fail_renewals_ = true;
  });
  HarvesterDeps deps = Deps();
  deps.claims = &claims;
  Harvester h(config_, flaky, deps);
  HarvestOptions opts;
  opts.stop = stop.get_token();
  RunReport r = h.Run(Source("slow", server.Url("/")), opts);
  breaker.join();
  EXPECT_EQ(lost.load(), 1);
  EXPECT_EQ(r.run.status, "aborted") << r.run.error;
  EXPECT_EQ(MaxSeq(), 0) << "nothing committed";
  // The lease was released with the claim: another holder gets it.
  auto after = store_->TryLeaseSource("slow", "node-b", 3000);
  ASSERT_TRUE(after.ok());
  EXPECT_NE(*after, nullptr);
}

}  // namespace
}  // namespace meabridge::harvest::test
