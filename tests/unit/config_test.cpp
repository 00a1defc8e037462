// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "core/config/settings.hpp"
#include "core/config/settings_report.hpp"
#include "core/util/error.hpp"

using namespace xl::config;
using xl::MapEnvironment;
using xl::ProcessEnvironment;

namespace {

MapEnvironment home_env() { return MapEnvironment({{"HOME", "/home/u"}}); }

// Runs load_settings expecting a usage error; returns its message.
std::string usage_error(const Environment& env, const ConfigFileReader& files, std::vector<FlagValue> flags = {}) {
  try {
    load_settings(env, files, flags);
  } catch (const xl::Error& error) {
    CHECK(error.code() == xl::ExitCode::usage);
    return error.what();
  }
  FAIL("expected xl::Error");
  return {};
}

}  // namespace

TEST_CASE("settings: built-in defaults when nothing is set") {
  const auto settings = load_settings(home_env(), MapConfigFileReader{});
  CHECK(settings.home == "/home/u/.xlaunch");
  CHECK(settings.config_file == "/home/u/.xlaunch/config.json");
  CHECK_FALSE(settings.config_file_found);
  CHECK(settings.cache_dir.empty());
  CHECK(settings.hub == "auto");
  CHECK(settings.host == "127.0.0.1");
  CHECK(settings.port == 8000);
  CHECK(settings.connections == 16);
  CHECK(settings.connect_timeout == 10);
  CHECK(settings.stall_timeout == 20);
  CHECK_FALSE(settings.offline);
  for (const auto& def : setting_defs()) {
    CHECK(settings.origin(def.name).source == Source::built_in);
  }
}

TEST_CASE("settings: flag > environment > config file > default, each with its origin") {
  auto env = home_env();
  MapConfigFileReader files;
  files.add("/home/u/.xlaunch/config.json", R"({"port": 9000, "host": "0.0.0.0", "hub": "modelscope", "connections": 4})");
  env.set("XLAUNCH_PORT", "9100");
  env.set("XLAUNCH_HOST", "10.0.0.1");
  const std::vector<FlagValue> flags{{"port", "--port", "9200"}};
  const auto settings = load_settings(env, files, flags);

  CHECK(settings.config_file_found);
  CHECK(settings.port == 9200);
  CHECK(settings.origin("port").source == Source::flag);
  CHECK(settings.origin("port").where == "--port");
  CHECK(settings.host == "10.0.0.1");
  CHECK(settings.origin("host").source == Source::environment);
  CHECK(settings.origin("host").where == "XLAUNCH_HOST");
  CHECK(settings.hub == "modelscope");
  CHECK(settings.origin("hub").source == Source::config_file);
  CHECK(settings.origin("hub").where == "/home/u/.xlaunch/config.json");
  CHECK(settings.connections == 4);
  CHECK(settings.lock_timeout == 600);
  CHECK(settings.origin("lock_timeout").source == Source::built_in);
}

TEST_CASE("settings: the network timeouts are whole seconds, at least one") {
  auto env = home_env();
  env.set("XLAUNCH_STALL_TIMEOUT", "2");
  env.set("XLAUNCH_CONNECT_TIMEOUT", "3");
  const auto settings = load_settings(env, MapConfigFileReader{});
  CHECK(settings.stall_timeout == 2);
  CHECK(settings.connect_timeout == 3);
  env.set("XLAUNCH_STALL_TIMEOUT", "0");
  CHECK_THROWS_WITH_AS(load_settings(env, MapConfigFileReader{}),
                       doctest::Contains("XLAUNCH_STALL_TIMEOUT is '0', expected an integer from 1 to 3600"), xl::Error);
}

TEST_CASE("settings: XLAUNCH_HOME moves the config file, ~ expands, empty variables are unset") {
  auto env = home_env();
  env.set("XLAUNCH_HOME", "~/elsewhere");
  env.set("XLAUNCH_PORT", "");
  MapConfigFileReader files;
  files.add("/home/u/elsewhere/config.json", R"({"cache_dir": "~/models", "offline": true})");
  const auto settings = load_settings(env, files);
  CHECK(settings.home == "/home/u/elsewhere");
  CHECK(settings.cache_dir == "/home/u/models");
  CHECK(settings.offline);
  CHECK(settings.port == 8000);
}

TEST_CASE("settings: values are normalised, strings in the file are accepted when valid") {
  auto env = home_env();
  env.set("XLAUNCH_OFFLINE", "Yes");
  env.set("XLAUNCH_HUB", "HuggingFace");
  MapConfigFileReader files;
  files.add("/home/u/.xlaunch/config.json", "// comments are allowed\n{\"port\": \"8080\", \"retries\": null}");
  const auto settings = load_settings(env, files);
  CHECK(settings.offline);
  CHECK(settings.hub == "huggingface");
  CHECK(settings.port == 8080);
  CHECK(settings.retries == 5);
  CHECK(settings.origin("retries").source == Source::built_in);
}

TEST_CASE("settings: invalid values name the source and the fix") {
  MapConfigFileReader no_file;
  {
    auto env = home_env();
    env.set("XLAUNCH_PORT", "80a");
    const auto message = usage_error(env, no_file);
    CHECK(message.find("XLAUNCH_PORT") != std::string::npos);
    CHECK(message.find("an integer from 1 to 65535") != std::string::npos);
    CHECK(message.find("unset it") != std::string::npos);
  }
  {
    auto env = home_env();
    env.set("XLAUNCH_MAX_CONNECTIONS", "0");
    CHECK(usage_error(env, no_file).find("from 1 to 64") != std::string::npos);
  }
  {
    auto env = home_env();
    env.set("XLAUNCH_HUB", "github");
    CHECK(usage_error(env, no_file).find("one of auto, huggingface, modelscope") != std::string::npos);
  }
  {
    auto env = home_env();
    env.set("XLAUNCH_HOST", "two words");
    CHECK(usage_error(env, no_file).find("XLAUNCH_HOST") != std::string::npos);
  }
  const auto flag_message = usage_error(home_env(), no_file, {{"offline", "--offline", "maybe"}});
  CHECK(flag_message.find("--offline") != std::string::npos);
  CHECK(flag_message.find("true or false") != std::string::npos);
}

TEST_CASE("settings: a bad config file names the file, the key and the fix") {
  const auto env = home_env();
  const std::string path = "/home/u/.xlaunch/config.json";
  auto error_for = [&](const std::string& content) {
    MapConfigFileReader files;
    files.add(path, content);
    return usage_error(env, files);
  };
  const auto syntax = error_for("{\"port\": ");
  CHECK(syntax.find(path) != std::string::npos);
  CHECK(syntax.find("not valid JSON") != std::string::npos);
  CHECK(error_for("[1, 2]").find("must hold a JSON object") != std::string::npos);
  const auto unknown = error_for(R"({"prot": 1})");
  CHECK(unknown.find("unknown setting 'prot'") != std::string::npos);
  CHECK(unknown.find("port") != std::string::npos);
  CHECK(error_for(R"({"home": "/x"})").find("unknown setting 'home'") != std::string::npos);
  const auto range = error_for(R"({"port": 70000})");
  CHECK(range.find("'port'") != std::string::npos);
  CHECK(range.find("fix or remove 'port' in " + path) != std::string::npos);
  CHECK(error_for(R"({"port": 1.5})").find("'1.5'") != std::string::npos);
  CHECK(error_for(R"({"offline": "sometimes"})").find("true or false") != std::string::npos);
  CHECK(syntax.find("json.exception") == std::string::npos);
  CHECK(error_for(" \n").find("is empty; write {} in it or delete it") != std::string::npos);
  // Text and paths must be strings: these made folders named "5" and '["a"]'.
  for (const char* content : {R"({"cache_dir": 5})", R"({"cache_dir": ["a"]})", R"({"host": 5})", R"({"hub": true})"}) {
    CAPTURE(content);
    CHECK(error_for(content).find("expected a string in quotes") != std::string::npos);
  }
  CHECK(load_settings(env, [&] {
          MapConfigFileReader files;
          files.add(path, R"({"port": "8001", "offline": "true", "hub": null})");
          return files;
        }()).port == 8001);
}

TEST_CASE("settings: without HOME, XLAUNCH_HOME is required") {
  const MapEnvironment empty;
  const auto message = usage_error(empty, MapConfigFileReader{});
  CHECK(message.find("HOME is not set") != std::string::npos);
  const MapEnvironment with_home({{"XLAUNCH_HOME", "/srv/xl"}});
  CHECK(load_settings(with_home, MapConfigFileReader{}).home == "/srv/xl");
}

TEST_CASE("settings: the table is consistent") {
  for (const auto& def : setting_defs()) {
    CHECK(find_setting(def.name) == &def);
    CHECK(def.env_var.starts_with("XLAUNCH_"));
    CHECK_FALSE(def.description.empty());
  }
  CHECK(find_setting("nope") == nullptr);
}

TEST_CASE("settings report: JSON rows carry value types and origins, the table lists every setting") {
  auto env = home_env();
  env.set("XLAUNCH_PORT", "9100");
  const auto settings = load_settings(env, MapConfigFileReader{});
  const auto json = settings_to_json(settings);
  CHECK(json["config_file"] == "/home/u/.xlaunch/config.json");
  CHECK(json["config_file_found"] == false);
  REQUIRE(json["settings"].size() == setting_defs().size());
  bool saw_port = false;
  for (const auto& row : json["settings"]) {
    if (row["name"] == "port") {
      saw_port = true;
      CHECK(row["value"] == 9100);
      CHECK(row["source"] == "environment");
      CHECK(row["origin"] == "XLAUNCH_PORT");
      CHECK(row["flag"] == "--port");
    }
    if (row["name"] == "offline") {
      CHECK(row["value"].is_boolean());
    }
    if (row["name"] == "home") {
      CHECK(row["config_key"].is_null());
    }
  }
  CHECK(saw_port);
  const auto table = format_settings(settings);
  CHECK(table.find("config file: /home/u/.xlaunch/config.json (not present)") != std::string::npos);
  CHECK(table.find("environment XLAUNCH_PORT") != std::string::npos);
  for (const auto& def : setting_defs()) {
    CHECK(table.find("\n" + std::string(def.name) + " ") != std::string::npos);
  }
}

TEST_CASE("config file reader: a missing file is nullopt, a present one is read") {
  const auto dir = std::filesystem::temp_directory_path() / ("xlaunch-config-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const DiskConfigFileReader reader;
  CHECK_FALSE(reader.read(dir / "config.json").has_value());
  std::ofstream(dir / "config.json") << "{\"port\": 1}";
  CHECK(reader.read(dir / "config.json") == std::optional<std::string>("{\"port\": 1}"));
  CHECK_THROWS_AS(reader.read(dir), xl::Error);
  std::filesystem::remove_all(dir);
}

TEST_CASE("process environment reads real variables") {
  ::setenv("XLAUNCH_UNIT_TEST_VARIABLE", "x1", 1);
  const ProcessEnvironment env;
  CHECK(env.get("XLAUNCH_UNIT_TEST_VARIABLE") == std::optional<std::string>("x1"));
  ::unsetenv("XLAUNCH_UNIT_TEST_VARIABLE");
  CHECK_FALSE(env.get("XLAUNCH_UNIT_TEST_VARIABLE").has_value());
}
