#include "coordinator/input_logic.h"

#include <algorithm>
#include <map>
#include <set>

#include "coordinator/internal.h"

namespace refinery::coordinator {
namespace {

constexpr int kMaxDepth = 32;

using internal::LocalName;

struct Inherited {
  std::optional<int64_t> min;
  std::optional<int64_t> wait_minutes;
};

class LogicParser {
 public:
  LogicParser(const std::vector<DataEvent>& inputs, const internal::InputLogicParsing& parsing)
      : inputs_(inputs), parsing_(parsing) {}

  Result<InputLogicNode> Node(const pugi::xml_node& element, const Inherited& inherited, int depth) {
    const std::string tag(LocalName(element.name()));
    InputLogicNode node;
    if (tag == "and") {
      node.kind = InputLogicNode::Kind::kAnd;
    } else if (tag == "or") {
      node.kind = InputLogicNode::Kind::kOr;
    } else if (tag == "combine") {
      node.kind = InputLogicNode::Kind::kCombine;
    } else if (tag == "data-in") {
      node.kind = InputLogicNode::Kind::kDataIn;
    } else {
      return Fail(element, "<input-logic> does not allow <" + tag + ">; use <and>, <or>, <combine> or <data-in>");
    }
    if (depth > kMaxDepth) return Fail(element, "<input-logic> nests deeper than 32 levels");
    for (pugi::xml_attribute attribute : element.attributes()) {
      const std::string name = attribute.name();
      if (name.rfind("xmlns", 0) == 0) continue;
      const bool allowed = name == "name" || name == "min" || name == "wait" ||
                           (name == "dataset" && node.kind == InputLogicNode::Kind::kDataIn);
      if (!allowed) {
        return Fail(element, "attribute [" + name + "] is not allowed on <" + tag + "> in <input-logic>; use " +
                                 (node.kind == InputLogicNode::Kind::kDataIn ? "dataset, name, min or wait"
                                                                             : "name, min or wait"));
      }
      auto value = parsing_.resolve(element, attribute.value());
      if (!value.ok()) return value.status();
      if (name == "name") {
        node.name = *value;
        if (node.name.empty()) return Fail(element, "<" + tag + " name=\"\"> needs a name or no name attribute");
        if (!names_.insert(node.name).second) {
          return Fail(element, "the name [" + node.name + "] is used twice in <input-logic>; give each a unique name");
        }
      } else if (name == "dataset") {
        node.data_in = *value;
      } else {
        auto number = internal::ParseInt(*value);
        if (!number || *number < 0) {
          return Fail(element, "<" + tag + " " + name + "=\"" + *value + "\"> must be a whole number >= 0" +
                                   (name == "wait" ? " of minutes" : " of instances"));
        }
        (name == "min" ? node.min : node.wait_minutes) = *number;
      }
    }
    Inherited passed = inherited;
    if (node.min) passed.min = node.min;
    if (node.wait_minutes) passed.wait_minutes = node.wait_minutes;
    node.min = passed.min;
    node.wait_minutes = passed.wait_minutes;
    if (node.kind == InputLogicNode::Kind::kDataIn) {
      if (node.data_in.empty()) {
        return Fail(element, "<data-in> in <input-logic> needs dataset=\"<name of a data-in of <input-events>>\"");
      }
      bool known = false;
      std::string names;
      for (const DataEvent& input : inputs_) {
        known = known || input.name == node.data_in;
        names += (names.empty() ? "" : ", ") + input.name;
      }
      if (!known) {
        return Fail(element, "<data-in dataset=\"" + node.data_in +
                                 "\"> names no data-in of <input-events>" +
                                 (names.empty() ? std::string("; there are none") : "; known: " + names));
      }
    }
    for (pugi::xml_node child = element.first_child(); child; child = child.next_sibling()) {
      if (child.type() != pugi::node_element) continue;
      if (node.kind == InputLogicNode::Kind::kDataIn) {
        return Fail(child, "<data-in> in <input-logic> takes no elements, found <" + std::string(child.name()) + ">");
      }
      REFINERY_ASSIGN_OR_RETURN(InputLogicNode parsed, Node(child, passed, depth + 1));
      if (node.kind == InputLogicNode::Kind::kCombine && parsed.kind != InputLogicNode::Kind::kDataIn) {
        return Fail(child, "<combine> combines <data-in> elements only, found <" + std::string(child.name()) + ">");
      }
      node.children.push_back(std::move(parsed));
    }
    if (node.kind != InputLogicNode::Kind::kDataIn && node.children.empty()) {
      return Fail(element, "<" + tag + "> in <input-logic> needs at least one <data-in>, <and>, <or> or <combine>");
    }
    return node;
  }

  Status Fail(const pugi::xml_node& element, const std::string& message) {
    return parsing_.at(element, Status::InvalidArgument("XML schema error, " + message, "E0701"));
  }

 private:
  const std::vector<DataEvent>& inputs_;
  const internal::InputLogicParsing& parsing_;
  std::set<std::string> names_;
};

struct NodeResult {
  bool ready = false;
  std::vector<std::string> instances;
  std::vector<std::string> uris;
};

class Evaluator {
 public:
  Evaluator(const MaterializedAction& action, TimePoint waiting_since, TimePoint now,
            const std::function<bool(const DataInstances&, const std::string&)>& exists, InputLogicOutcome* out)
      : action_(action), waiting_since_(waiting_since), now_(now), exists_(exists), out_(out) {}

  NodeResult Eval(const InputLogicNode& node) {
    NodeResult result;
    switch (node.kind) {
      case InputLogicNode::Kind::kDataIn:
        result = DataIn(node);
        break;
      case InputLogicNode::Kind::kCombine:
        result = Combine(node);
        break;
      case InputLogicNode::Kind::kOr:
        for (const InputLogicNode& child : node.children) {
          NodeResult branch = Eval(child);
          if (branch.ready && !result.ready) result = std::move(branch);
        }
        break;
      case InputLogicNode::Kind::kAnd:
        result.ready = true;
        for (const InputLogicNode& child : node.children) {
          NodeResult part = Eval(child);
          result.ready = result.ready && part.ready;
          result.instances.insert(result.instances.end(), part.instances.begin(), part.instances.end());
          result.uris.insert(result.uris.end(), part.uris.begin(), part.uris.end());
        }
        if (!result.ready) result.instances.clear(), result.uris.clear();
        break;
    }
    if (result.ready && !node.name.empty()) {
      DataInstances named;
      named.name = node.name;
      if (const DataInstances* input = Input(node.data_in)) named.dataset = input->dataset;
      named.instances = result.instances;
      named.uris = result.uris;
      out_->resolved.push_back(std::move(named));
    }
    return result;
  }

 private:
  const DataInstances* Input(const std::string& name) const {
    if (name.empty()) return nullptr;
    for (const DataInstances& input : action_.inputs) {
      if (input.name == name) return &input;
    }
    return nullptr;
  }

  bool Exists(const DataInstances& input, const std::string& uri) {
    auto [it, fresh] = cache_.try_emplace(uri, false);
    if (fresh) it->second = exists_(input, uri);
    return it->second;
  }

  // Whether the node's `wait` has run out (no wait: it has).
  bool WaitOver(const InputLogicNode& node) {
    if (!node.wait_minutes) return true;
    const TimePoint ends = waiting_since_ + std::chrono::minutes(*node.wait_minutes);
    if (now_ >= ends) return true;
    if (!out_->wait_ends || ends < *out_->wait_ends) out_->wait_ends = ends;
    return false;
  }

  // Enough of `total` instances, `present` of which exist?
  bool Enough(const InputLogicNode& node, size_t present, size_t total) {
    if (present == total) return true;
    return node.min && present >= static_cast<size_t>(*node.min) && WaitOver(node);
  }

  NodeResult DataIn(const InputLogicNode& node) {
    NodeResult result;
    const DataInstances* input = Input(node.data_in);
    if (input == nullptr) return result;
    if (!input->unresolved.empty()) {
      out_->missing.push_back(input->unresolved);
      return result;
    }
    for (size_t i = 0; i < input->uris.size(); ++i) {
      if (!Exists(*input, input->uris[i])) {
        out_->missing.push_back(input->uris[i]);
        continue;
      }
      result.uris.push_back(input->uris[i]);
      if (i < input->instances.size()) result.instances.push_back(input->instances[i]);
    }
    result.ready = Enough(node, result.uris.size(), input->uris.size());
    if (!result.ready) result.instances.clear(), result.uris.clear();
    return result;
  }

  NodeResult Combine(const InputLogicNode& node) {
    NodeResult result;
    std::vector<const DataInstances*> inputs;
    size_t positions = 0;
    for (const InputLogicNode& child : node.children) {
      const DataInstances* input = Input(child.data_in);
      if (input == nullptr) continue;
      if (!input->unresolved.empty()) {
        out_->missing.push_back(input->unresolved);
        continue;
      }
      inputs.push_back(input);
      positions = std::max(positions, input->uris.size());
    }
    for (size_t i = 0; i < positions; ++i) {
      const DataInstances* found = nullptr;
      std::string first_uri;
      for (const DataInstances* input : inputs) {
        if (i >= input->uris.size()) continue;
        if (first_uri.empty()) first_uri = input->uris[i];
        if (Exists(*input, input->uris[i])) {
          found = input;
          break;
        }
      }
      if (found == nullptr) {
        if (!first_uri.empty()) out_->missing.push_back(first_uri);
        continue;
      }
      result.uris.push_back(found->uris[i]);
      if (i < found->instances.size()) result.instances.push_back(found->instances[i]);
    }
    result.ready = Enough(node, result.uris.size(), positions);
    if (!result.ready) result.instances.clear(), result.uris.clear();
    return result;
  }

  const MaterializedAction& action_;
  TimePoint waiting_since_;
  TimePoint now_;
  const std::function<bool(const DataInstances&, const std::string&)>& exists_;
  InputLogicOutcome* out_;
  std::map<std::string, bool> cache_;
};

}  // namespace

namespace internal {

Result<std::optional<InputLogicNode>> ParseInputLogicElement(const pugi::xml_node& element,
                                                             const std::vector<DataEvent>& inputs,
                                                             const InputLogicParsing& parsing) {
  LogicParser parser(inputs, parsing);
  for (pugi::xml_attribute attribute : element.attributes()) {
    const std::string name = attribute.name();
    if (name.rfind("xmlns", 0) == 0) continue;
    return parser.Fail(element, "<input-logic> takes no attributes, found [" + name + "]");
  }
  std::vector<InputLogicNode> roots;
  for (pugi::xml_node child = element.first_child(); child; child = child.next_sibling()) {
    if (child.type() != pugi::node_element) continue;
    REFINERY_ASSIGN_OR_RETURN(InputLogicNode node, parser.Node(child, Inherited{}, 1));
    roots.push_back(std::move(node));
  }
  if (roots.empty()) return std::optional<InputLogicNode>();
  if (roots.size() == 1) return std::optional<InputLogicNode>(std::move(roots.front()));
  InputLogicNode all;  // several top-level elements must all hold
  all.kind = InputLogicNode::Kind::kAnd;
  all.children = std::move(roots);
  return std::optional<InputLogicNode>(std::move(all));
}

}  // namespace internal

InputLogicOutcome EvaluateInputLogic(const InputLogicNode& root, const MaterializedAction& action,
                                     TimePoint waiting_since, TimePoint now,
                                     const std::function<bool(const DataInstances&, const std::string&)>& exists) {
  InputLogicOutcome outcome;
  Evaluator evaluator(action, waiting_since, now, exists, &outcome);
  outcome.ready = evaluator.Eval(root).ready;
  if (outcome.ready) {
    outcome.missing.clear();
    outcome.wait_ends.reset();
  } else {
    outcome.resolved.clear();
  }
  return outcome;
}

void MergeResolvedInputs(const std::vector<DataInstances>& resolved, std::vector<DataInstances>* inputs) {
  for (const DataInstances& item : resolved) {
    bool replaced = false;
    for (DataInstances& input : *inputs) {
      if (input.name != item.name) continue;
      input.instances = item.instances;
      input.uris = item.uris;
      replaced = true;
    }
    if (!replaced) inputs->push_back(item);
  }
}

}  // namespace refinery::coordinator
