// Clang thread-safety annotations and a mutex that carries them, so a clang
// build with -Wthread-safety checks that guarded members are only touched
// under their lock. Under GCC the macros expand to nothing. std::mutex is not
// annotated in libstdc++, hence the thin wrapper (the LevelDB port::Mutex idea).
// TODO(lead): this belongs in core/ once another module needs it.
#pragma once

#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define REFINERY_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define REFINERY_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(x) REFINERY_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY REFINERY_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) REFINERY_THREAD_ANNOTATION(guarded_by(x))
#define REQUIRES(...) REFINERY_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define ACQUIRE(...) REFINERY_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) REFINERY_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define EXCLUDES(...) REFINERY_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))

namespace refinery::store {

class CAPABILITY("mutex") Mutex {
 public:
  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }

 private:
  friend class CondVar;
  std::mutex mu_;
};

// A condition variable bound to one Mutex.
class CondVar {
 public:
  explicit CondVar(Mutex* mu) : mu_(mu) {}
  // The caller holds the mutex; it is released while waiting and held again
  // on return. Wakeups may be spurious, so callers loop on their condition.
  // (Not annotated: the analysis cannot tie cv.mu_ to the caller's mutex.)
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_->mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();  // still held: ownership stays with the caller
  }
  void Signal() { cv_.notify_one(); }
  void SignalAll() { cv_.notify_all(); }

 private:
  Mutex* const mu_;
  std::condition_variable cv_;
};

class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() RELEASE() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

}  // namespace refinery::store
