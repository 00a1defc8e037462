// SPDX-License-Identifier: Apache-2.0
#pragma once

// Where this launch sits in a multi-node deployment: --nnodes N (Xinference's --n-worker),
// --node-rank R, --master-addr HOST[:PORT], --hosts a,b,... and --ray.

#include <optional>
#include <string>
#include <vector>

#include "core/launch_options.hpp"

namespace xl::engines {

struct HostPort {
  std::string host;
  std::optional<int> port;
};

// "10.0.0.1", "10.0.0.1:29501", "[fe80::1]:29501", "node-a:6379". A bad port -> Error(usage).
HostPort parse_host_port(const std::string& text);
// "10.0.0.1:29501"; IPv6 hosts get brackets.
std::string format_host_port(const std::string& host, int port);

struct Topology {
  int nnodes = 1;
  int rank = 0;
  std::string master_host;          // rank 0's address ("" on a single node)
  std::optional<int> master_port;   // nullopt: each engine's default
  std::vector<HostPort> hosts;      // --hosts, in rank order; empty when not given
  bool ray = false;                 // vLLM: Ray executor instead of native multi-node

  bool multi_node() const { return nnodes > 1; }
  bool is_head() const { return rank == 0; }
};

// Validates and combines the options: --nnodes and --n-worker must agree, 0 <= rank < nnodes,
// several nodes need --master-addr (or --hosts, whose first entry is then the master), and
// --hosts must list exactly nnodes entries. Violations throw Error(usage).
Topology resolve_topology(const LaunchOptions& options);

}  // namespace xl::engines
