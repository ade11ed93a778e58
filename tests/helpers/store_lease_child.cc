// The child of the lease tests (tests/store/store_contract_test.cc): takes a lease and holds
// it, renewing it, until the parent kills it.
//
//   store_lease_child LOCATION SOURCE NODE TTL_MS
//
// Prints "held" (or "busy" when another holder has the source) on its own line, then keeps
// the lease; prints "lost: ..." and exits 3 if a renewal fails.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "store/store.h"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: store_lease_child LOCATION SOURCE NODE TTL_MS\n");
    return 2;
  }
  const int64_t ttl = std::atoll(argv[4]);
  auto store = meabridge::store::OpenStore(argv[1]);
  if (!store.ok()) {
    std::printf("error: %s\n", store.status().ToString().c_str());
    return 1;
  }
  auto lease = (*store)->TryLeaseSource(argv[2], argv[3], ttl);
  if (!lease.ok()) {
    std::printf("error: %s\n", lease.status().ToString().c_str());
    return 1;
  }
  if (!*lease) {
    std::printf("busy\n");
    return 0;
  }
  std::printf("held\n");
  std::fflush(stdout);
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(ttl / 3));
    meabridge::Status s = (*lease)->Renew();
    if (!s.ok()) {
      std::printf("lost: %s\n", s.ToString().c_str());
      return 3;
    }
  }
}
