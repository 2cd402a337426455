// Graph validation exactly as Oozie's LiteWorkflowValidator: a depth-first
// walk from start over reachable nodes (names, action types, loops,
// transitions), then the fork/join walk. Both walks keep explicit stacks
// instead of recursing, so a long chain of nodes cannot overflow the stack.
// One walker serves ValidateWorkflow (stop at the first error) and
// ValidateWorkflowAll (record and carry on where the walk still makes sense).
#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "workflow/workflow_app.h"

namespace refinery::workflow {
namespace {

constexpr size_t kMaxNodeNameLength = 128;

// Java's String.length() counts UTF-16 units; code points are close enough
// for names that only ASCII can make valid.
size_t NameLength(std::string_view name) {
  size_t length = 0;
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte & 0xC0) != 0x80) length += byte >= 0xF0 ? 2 : 1;
  }
  return length;
}

// ParamChecker.validateActionName; "" when valid.
std::string NodeNameProblem(const std::string& name) {
  if (name.empty()) return "action name cannot be empty";
  if (NameLength(name) > kMaxNodeNameLength) {
    return "name [" + name + "] must be " + std::to_string(kMaxNodeNameLength) + " chars or less";
  }
  const auto letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (!letter(name[0])) return "name [" + name + "], must start with [A-Za-z_]";
  for (size_t i = 1; i < name.size(); ++i) {
    if (!letter(name[i]) && !(name[i] >= '0' && name[i] <= '9') && name[i] != '-') {
      return "name [" + name + "] must be [A-Za-z_][0-9A-Za-z_]*";
    }
  }
  return "";
}

std::string Join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += separator;
    out += parts[i];
  }
  return out;
}

// Java's Deque.remove(name). A name is on a walk's path at most once (the
// basic walk stops at loops; the fork/join walk runs on an acyclic graph), so
// the name leaving is the last one and this is O(1).
void RemoveFirst(std::vector<std::string>* path, const std::string& name) {
  if (!path->empty() && path->back() == name) {
    path->pop_back();
    return;
  }
  const auto it = std::find(path->begin(), path->end(), name);
  if (it != path->end()) path->erase(it);
}

class Validator {
 public:
  Validator(const WorkflowApp& app, const ValidateOptions& options, bool stop_at_first)
      : app_(app), options_(options), stop_at_first_(stop_at_first) {
    for (const Node& node : app.nodes) by_name_.emplace(node.name, &node);
  }

  std::vector<Status> Run() {
    if (app_.nodes.empty() || app_.nodes.front().kind != NodeKind::kStart) {
      Report(Status::InvalidArgument("XML error, no start node", "E0700").WithContext(app_.source_name));
      return std::move(errors_);
    }
    BasicValidation();
    if (!errors_.empty() || !options_.validate_fork_join) return std::move(errors_);
    if (forks_ != joins_) {
      Report(Error(FirstForkOrJoin(), "E0730", "Fork/Join not in pair"));
      return std::move(errors_);
    }
    ForkJoinValidation();
    return std::move(errors_);
  }

 private:
  const Node* Find(const std::string& name) const {
    const auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : it->second;
  }

  Status Error(const Node* at, const char* code, const std::string& message) const {
    const std::string where = at ? app_.source_name + ":" + std::to_string(at->line) : app_.source_name;
    return Status::InvalidArgument(message, code).WithContext(where);
  }

  // Records an error; returns true when the walk must stop.
  bool Report(Status status) {
    const std::string text = status.ToString();
    if (std::none_of(errors_.begin(), errors_.end(), [&](const Status& s) { return s.ToString() == text; })) {
      errors_.push_back(std::move(status));
    }
    return stop_at_first_;
  }

  bool stopped() const { return stop_at_first_ && !errors_.empty(); }

  const Node* FirstForkOrJoin() const {
    for (const Node& node : app_.nodes) {
      if (node.kind == NodeKind::kFork || node.kind == NodeKind::kJoin) return &node;
    }
    return nullptr;
  }

  // ---- performBasicValidation --------------------------------------------

  struct BasicFrame {
    const Node* node;
    std::vector<std::string> transitions;
    size_t next = 0;
  };

  // The checks made when a node is first reached; false when the walk must
  // not descend into it (a loop) or must stop.
  bool EnterBasic(const Node* node, std::vector<BasicFrame>* stack) {
    if (node->kind != NodeKind::kStart) {
      const std::string problem = NodeNameProblem(node->name);
      if (!problem.empty() && Report(Error(node, "E0724", "Invalid node name, " + problem))) return false;
    }
    if (node->kind == NodeKind::kAction) {
      CheckActionType(*node);
      if (stopped()) return false;
    } else if (node->kind == NodeKind::kFork) {
      ++forks_;
      if (node->fork_paths.size() < 2 &&
          Report(Error(node, "E0731", "Fork node [" + node->name + "] cannot have less than two paths"))) {
        return false;
      }
    } else if (node->kind == NodeKind::kJoin) {
      ++joins_;
    }
    if (on_basic_path_.count(node->name)) {
      std::vector<std::string> loop = basic_path_;
      loop.push_back(node->name);
      Report(Error(node, "E0707",
                   "Loop detected at parsing, node [" + node->name + "], path [" + Join(loop, "->") + "]"));
      return false;
    }
    basic_path_.push_back(node->name);
    on_basic_path_.insert(node->name);
    stack->push_back(BasicFrame{node, node->Transitions()});
    return true;
  }

  void CheckActionType(const Node& node) {
    const std::vector<std::string>& known = options_.known_action_types;
    if (known.empty() || !node.action) return;
    if (std::find(known.begin(), known.end(), node.action->type) != known.end()) return;
    std::vector<std::string> sorted = known;
    std::sort(sorted.begin(), sorted.end());
    Report(Error(&node, "E0723",
                 "Unsupported action type, node [" + node.name + "] type [" + node.action->type +
                     "]; known types: " + Join(sorted, ", ")));
  }

  void BasicValidation() {
    std::vector<BasicFrame> stack;
    std::unordered_set<const Node*> checked;
    EnterBasic(&app_.nodes.front(), &stack);
    while (!stack.empty() && !stopped()) {
      BasicFrame& frame = stack.back();
      if (frame.next == frame.transitions.size()) {
        RemoveFirst(&basic_path_, frame.node->name);
        on_basic_path_.erase(frame.node->name);
        checked.insert(frame.node);
        stack.pop_back();
        continue;
      }
      const std::string transition = frame.transitions[frame.next++];
      const Node* target = Find(transition);
      if (!target) {
        Report(Error(frame.node, "E0708",
                     "Invalid transition, node [" + frame.node->name + "] transition [" + transition + "]"));
        continue;
      }
      if (!checked.count(target)) EnterBasic(target, &stack);
    }
  }

  // ---- validateForkJoin ---------------------------------------------------

  struct ForkJoinFrame {
    const Node* node;
    const Node* current_fork;
    std::optional<std::string> top_decision;
    bool ok_path;
    size_t next = 0;          // next transition to walk
    bool joined = false;      // fork: its join's successor has been walked
  };

  struct Visit {
    const Node* node;
    const Node* current_fork;
    std::optional<std::string> top_decision;
    bool ok_path;
  };

  // The part of validateForkJoin before it recurses; pushes a frame when the
  // node has successors to walk.
  void EnterForkJoin(const Visit& visit, std::vector<ForkJoinFrame>* stack) {
    const Node* node = visit.node;
    if (!node) return;
    const std::string& name = node->name;
    fork_join_path_.push_back(name);
    const bool terminal = node->kind == NodeKind::kKill || node->kind == NodeKind::kJoin || node->kind == NodeKind::kEnd;
    if (visit.ok_path && !terminal) {
      const auto it = decision_parents_.find(name);
      if (it == decision_parents_.end()) {
        decision_parents_.emplace(name, visit.top_decision);
      } else if ((!it->second && !visit.top_decision) || it->second != visit.top_decision) {
        if (Report(Error(node, "E0743",
                         "Multiple \"ok to\" transitions to the same node, [" + name + "], are not allowed"))) {
          return;
        }
      }
    }
    if (visited_.count(node)) {
      RemoveFirst(&fork_join_path_, name);
      return;
    }
    if (node->kind != NodeKind::kJoin && node->kind != NodeKind::kEnd) visited_.insert(node);

    switch (node->kind) {
      case NodeKind::kFork:
        CheckForkTransitions(*node);
        if (stopped()) return;
        break;
      case NodeKind::kJoin:
        CheckJoin(*node, visit.current_fork);
        if (stopped()) return;
        RemoveFirst(&fork_join_path_, name);
        return;
      case NodeKind::kEnd:
        if (visit.current_fork) {
          fork_join_path_.pop_back();
          const std::string previous = fork_join_path_.empty() ? "" : fork_join_path_.back();
          const Node* from = Find(previous);
          Report(Error(from ? from : node, "E0737",
                       "Invalid transition from node [" + previous + "] to node [" + name +
                           "] -- nodes of type 'end' are not allowed within Fork/Join"));
          return;
        }
        RemoveFirst(&fork_join_path_, name);
        return;
      case NodeKind::kKill:
        RemoveFirst(&fork_join_path_, name);
        return;
      default:
        break;
    }
    std::optional<std::string> top = visit.top_decision;
    if (node->kind == NodeKind::kDecision && !top) top = name;
    stack->push_back(ForkJoinFrame{node, visit.current_fork, top, visit.ok_path});
  }

  void CheckForkTransitions(const Node& fork) {
    for (const std::string& path : fork.fork_paths) {
      const Node* target = Find(path);
      if (target && (target->kind == NodeKind::kJoin || target->kind == NodeKind::kKill)) continue;
      if (std::count(fork.fork_paths.begin(), fork.fork_paths.end(), path) > 1) {
        Report(Error(&fork, "E0744",
                     "A fork, [" + fork.name + "], is not allowed to have multiple transitions to the same node, [" +
                         path + "]"));
        return;  // Oozie stops at the first; one report per fork
      }
    }
  }

  void CheckJoin(const Node& join, const Node* current_fork) {
    if (!current_fork) {
      Report(Error(&join, "E0742", "No Fork for Join [" + join.name + "] to pair with"));
      return;
    }
    const auto it = join_forks_.find(join.name);
    if (it == join_forks_.end()) {
      join_forks_.emplace(join.name, current_fork->name);
    } else if (it->second != current_fork->name) {
      Report(Error(&join, "E0758",
                   "Join node [" + join.name + "] has multiple forks: [" + it->second + "," + current_fork->name + "]"));
    }
  }

  // The next node to walk from `frame`, or nullopt when it is done.
  std::optional<Visit> NextVisit(ForkJoinFrame* frame) {
    const Node* node = frame->node;
    switch (node->kind) {
      case NodeKind::kStart:
        if (frame->next++ == 0) return Visit{Find(node->to), frame->current_fork, frame->top_decision, frame->ok_path};
        return std::nullopt;
      case NodeKind::kDecision: {
        const std::vector<std::string> transitions = node->Transitions();
        if (frame->next >= transitions.size()) return std::nullopt;
        return Visit{Find(transitions[frame->next++]), frame->current_fork, frame->top_decision, frame->ok_path};
      }
      case NodeKind::kAction:
        if (!node->action) return std::nullopt;
        if (frame->next == 0) {
          ++frame->next;
          return Visit{Find(node->action->ok_to), frame->current_fork, frame->top_decision, frame->ok_path};
        }
        if (frame->next == 1) {
          ++frame->next;
          return Visit{Find(node->action->error_to), frame->current_fork, frame->top_decision, false};
        }
        return std::nullopt;
      case NodeKind::kFork:
        return NextForkVisit(frame);
      default:
        return std::nullopt;
    }
  }

  std::optional<Visit> NextForkVisit(ForkJoinFrame* frame) {
    const Node* fork = frame->node;
    if (frame->next < fork->fork_paths.size()) {
      return Visit{Find(fork->fork_paths[frame->next++]), fork, frame->top_decision, frame->ok_path};
    }
    if (frame->joined) return std::nullopt;
    frame->joined = true;
    std::set<std::string> joins;
    for (const auto& [join, owner] : join_forks_) {
      if (owner == fork->name) joins.insert(join);
    }
    if (joins.empty()) {
      Report(Error(fork, "E0733", "Fork [" + fork->name + "] without a join"));
      return std::nullopt;
    }
    if (joins.size() > 1) {
      Report(Error(fork, "E0757", "Fork node [" + fork->name + "] has multiple joins: [" +
                                      Join(std::vector<std::string>(joins.begin(), joins.end()), ",") + "]"));
      return std::nullopt;
    }
    const Node* join = Find(*joins.begin());
    if (!join) return std::nullopt;
    return Visit{Find(join->to), frame->current_fork, frame->top_decision, frame->ok_path};
  }

  void ForkJoinValidation() {
    std::vector<ForkJoinFrame> stack;
    EnterForkJoin(Visit{&app_.nodes.front(), nullptr, std::nullopt, true}, &stack);
    while (!stack.empty() && !stopped()) {
      const std::optional<Visit> next = NextVisit(&stack.back());
      if (stopped()) return;
      if (!next) {
        RemoveFirst(&fork_join_path_, stack.back().node->name);
        stack.pop_back();
        continue;
      }
      EnterForkJoin(*next, &stack);
    }
  }

  const WorkflowApp& app_;
  const ValidateOptions& options_;
  const bool stop_at_first_;
  std::unordered_map<std::string, const Node*> by_name_;
  std::vector<Status> errors_;

  std::vector<std::string> basic_path_;
  std::unordered_set<std::string> on_basic_path_;
  int forks_ = 0;
  int joins_ = 0;

  std::vector<std::string> fork_join_path_;
  std::map<std::string, std::string> join_forks_;  // join -> its fork
  std::unordered_map<std::string, std::optional<std::string>> decision_parents_;
  std::unordered_set<const Node*> visited_;
};

}  // namespace

Status ValidateWorkflow(const WorkflowApp& app, const ValidateOptions& options) {
  std::vector<Status> errors = Validator(app, options, /*stop_at_first=*/true).Run();
  return errors.empty() ? Status::Ok() : errors.front();
}

std::vector<Status> ValidateWorkflowAll(const WorkflowApp& app, const ValidateOptions& options) {
  return Validator(app, options, /*stop_at_first=*/false).Run();
}

}  // namespace refinery::workflow
