// SPDX-License-Identifier: Apache-2.0
#include "core/engines/topology.hpp"

#include <charconv>

#include "core/util/error.hpp"

namespace xl::engines {

HostPort parse_host_port(const std::string& text) {
  HostPort out;
  std::string port_text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos) {
      throw Error(ExitCode::usage, "address '" + text + "' has no closing ']'");
    }
    out.host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') {
        throw Error(ExitCode::usage, "address '" + text + "' must be [IPv6]:PORT");
      }
      port_text = text.substr(close + 2);
    }
  } else if (const auto colon = text.find(':');
             colon != std::string::npos && text.find(':', colon + 1) == std::string::npos) {
    out.host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  } else {
    out.host = text;  // a bare IPv6 address has several colons and no port
  }
  if (out.host.empty()) {
    throw Error(ExitCode::usage, "address '" + text + "' has no host");
  }
  if (!port_text.empty() || (text.size() && text.back() == ':')) {
    int port = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || ptr != port_text.data() + port_text.size() || port <= 0 ||
        port > 65535) {
      throw Error(ExitCode::usage, "address '" + text + "' has an invalid port");
    }
    out.port = port;
  }
  return out;
}

std::string format_host_port(const std::string& host, int port) {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Topology resolve_topology(const LaunchOptions& options) {
  Topology topology;
  if (options.nnodes && options.n_worker != 1 && *options.nnodes != options.n_worker) {
    throw Error(ExitCode::usage, "--nnodes " + std::to_string(*options.nnodes) +
                                     " and --n-worker " + std::to_string(options.n_worker) +
                                     " disagree; give one of them");
  }
  topology.nnodes = options.nnodes.value_or(options.n_worker);
  if (topology.nnodes < 1) {
    throw Error(ExitCode::usage, "--nnodes must be at least 1");
  }
  topology.rank = options.node_rank.value_or(0);
  if (topology.rank < 0 || topology.rank >= topology.nnodes) {
    throw Error(ExitCode::usage, "--node-rank " + std::to_string(topology.rank) +
                                     " must be between 0 and " +
                                     std::to_string(topology.nnodes - 1));
  }
  for (const auto& host : options.hosts) {
    topology.hosts.push_back(parse_host_port(host));
  }
  if (!topology.hosts.empty() &&
      topology.hosts.size() != static_cast<std::size_t>(topology.nnodes)) {
    throw Error(ExitCode::usage, "--hosts lists " + std::to_string(topology.hosts.size()) +
                                     " addresses but there are " +
                                     std::to_string(topology.nnodes) + " nodes");
  }
  topology.ray = options.ray;
  if (options.master_addr) {
    auto master = parse_host_port(*options.master_addr);
    topology.master_host = master.host;
    topology.master_port = master.port;
  } else if (!topology.hosts.empty() && topology.multi_node()) {
    topology.master_host = topology.hosts.front().host;
  }
  if (topology.multi_node() && topology.master_host.empty()) {
    throw Error(ExitCode::usage, "a launch over " + std::to_string(topology.nnodes) +
                                     " nodes needs --master-addr HOST[:PORT] (rank 0's address)");
  }
  return topology;
}

}  // namespace xl::engines
