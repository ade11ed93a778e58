// LockGuarded<T>: a value reachable only under its mutex (after PowerDNS pdns/lock.hh).
//
//   LockGuarded<std::vector<Conn>> pool;
//   { auto locked = pool.lock(); locked->push_back(...); }   // the mutex is held here only
//
// Waiting on a condition variable goes through the handle, so the value is still read only
// with the lock held. Thread-safe by construction; the handle itself belongs to one thread.
// (Kept in store/ because the store is its only user so far; move it to core/ when a second
// module needs it.)
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <utility>

namespace meabridge::store {

template <typename T>
class LockGuarded {
 public:
  class Handle {
   public:
    T* operator->() { return value_; }
    T& operator*() { return *value_; }

    // Waits on `cv` until `pred(value)` holds or `timeout` passes; true when it holds.
    template <typename Pred>
    bool WaitFor(std::condition_variable& cv, std::chrono::milliseconds timeout, Pred pred) {
      return cv.wait_for(lock_, timeout, [&] { return pred(*value_); });
    }

   private:
    friend class LockGuarded;
    Handle(std::mutex& mu, T* value) : lock_(mu), value_(value) {}
    std::unique_lock<std::mutex> lock_;
    T* value_;
  };

  LockGuarded() = default;
  explicit LockGuarded(T value) : value_(std::move(value)) {}
  LockGuarded(const LockGuarded&) = delete;
  LockGuarded& operator=(const LockGuarded&) = delete;

  Handle lock() { return Handle(mu_, &value_); }

 private:
  std::mutex mu_;
  T value_;
};

}  // namespace meabridge::store
