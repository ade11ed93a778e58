// The user CPU time of the calling thread within the timed parts of a benchmark, reported as
// the counter user_cpu_ms (per iteration). bench/regression_guard.sh compares each figure with
// its baseline by it. Thread CPU time (Google Benchmark's cpu_time) also counts the kernel's
// share of the work (pwrite into the page cache, page faults, memory cgroup accounting), and
// that share costs 3x more on some of the shared machines than on others: with the same
// binary, the store's ratio to the raw sqlite3 insert by thread CPU time was 1.0 on one and
// 0.3 on another (2026-12-02). User time is the work of the code measured, on any of them.
//
// Linux splits a thread's run time into user and system time in proportion to the timer ticks
// that found it in each, so a figure over a few hundred ticks (100 ms at 250 Hz) is good to a
// few percent; the guard takes the median of three.
#pragma once

#include <benchmark/benchmark.h>
#include <sys/resource.h>

namespace meabridge::bench {

class UserCpu {
 public:
  void Start() { start_ = Now(); }
  void Stop() { total_ += Now() - start_; }
  // Sets the counter user_cpu_ms: the total divided by the benchmark's iterations.
  void Report(benchmark::State& state) const {
    state.counters["user_cpu_ms"] =
        benchmark::Counter(total_ * 1000, benchmark::Counter::kAvgIterations);
  }

 private:
  static double Now() {
    rusage u{};
    getrusage(RUSAGE_THREAD, &u);
    return static_cast<double>(u.ru_utime.tv_sec) + static_cast<double>(u.ru_utime.tv_usec) / 1e6;
  }
  double start_ = 0;
  double total_ = 0;
};

}  // namespace meabridge::bench
