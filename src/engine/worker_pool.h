// A fixed set of threads running queued tasks, plus delayed tasks (retries)
// released by a timer thread. Internal to the engine.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace refinery::engine::internal {

class WorkerPool {
 public:
  explicit WorkerPool(int threads);
  ~WorkerPool();  // runs queued tasks to completion, drops delayed ones

  void Post(std::function<void()> task);
  void PostAfter(std::chrono::milliseconds delay, std::function<void()> task);
  // A task that may block for long (a sub-workflow waiting on its child) runs
  // on its own thread so it cannot starve the pool.
  void PostBlocking(std::function<void()> task);
  void Stop();

 private:
  void WorkerLoop();
  void TimerLoop();

  std::mutex mu_;
  std::condition_variable work_cv_;   // guarded by mu_
  std::condition_variable timer_cv_;  // guarded by mu_
  std::condition_variable idle_cv_;   // guarded by mu_
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  std::multimap<std::chrono::steady_clock::time_point, std::function<void()>> delayed_;  // guarded by mu_
  int blocking_running_ = 0;  // guarded by mu_
  bool stopping_ = false;     // guarded by mu_
  std::vector<std::thread> workers_;
  std::thread timer_;
};

}  // namespace refinery::engine::internal
