#include "publish/publisher.h"

#include <sqlite3.h>

#include <fstream>
#include <sstream>

#include "core/hash.h"
#include "core/log.h"
#include "core/version.h"
#include "model/registry.h"
#include "publish/profiles/feeds.h"
#include "store/sqlite/sqlite_store.h"
#include "vocab/vocabulary.h"

namespace meabridge::publish {
namespace {

Result<std::string> ReadSecret(const std::string& path) {
  if (path.empty()) return std::string();
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::IoError("cannot read the link secret file " + path +
                           "; check <server link-secret-file> and the file's permissions");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string key = ss.str();
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r' || key.back() == ' ')) {
    key.pop_back();
  }
  if (key.size() < 16) {
    return Status::InvalidArgument("the link secret file " + path +
                                   " holds fewer than 16 bytes; write a long random secret "
                                   "into it (head -c 32 /dev/urandom | base64)");
  }
  return key;
}

// What responses depend on besides the request and the store: version, options, vocabularies.
std::string Fingerprint(const config::Config& cfg, const vocab::Vocabularies* vocabularies,
                        const std::string& secret) {
  std::string f = std::string(kVersion) + "|" + cfg.server_public_url + "|" +
                  std::to_string(cfg.server_page_size) + "|" + std::to_string(cfg.server_max_top) +
                  "|" + std::to_string(cfg.server_max_expand_depth) + "|" +
                  core::ContentHash(secret);
  for (const config::ProfileConfig& p : cfg.profiles) f += "|" + p.name + "=" + p.mapping;
  if (vocabularies) {
    std::string terms;
    for (const auto& v : vocabularies->all()) {
      terms += std::string(v->name()) + ":";
      for (const vocab::Term& t : v->terms()) {
        terms += t.code + "=" + t.label + ";";
        for (const auto& [lang, label] : t.labels) terms += lang + "=" + label + ";";
      }
    }
    f += "|" + core::ContentHash(terms);
  }
  return core::ContentHash(f);
}

}  // namespace

Result<std::unique_ptr<store::Store>> OpenStoreForServing(const config::Config& cfg) {
  if (cfg.store_location.rfind("sqlite:", 0) != 0) return store::OpenStore(cfg.store_location);
  // Must precede SQLite's initialisation; SQLITE_MISUSE afterwards only means it stays on.
  (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  store::sqlite::SqliteOptions options;
  options.max_idle_readers = static_cast<size_t>(cfg.server_threads) + 8;
  return store::sqlite::OpenSqliteStore(cfg.store_location.substr(7), options);
}

http::ServerOptions ServerOptionsFrom(const config::Config& c) {
  http::ServerOptions o;
  o.bind = c.server_bind;
  o.port = c.server_port;
  o.connections.workers = c.server_threads;
  o.connections.queue = c.server_queue;
  o.connections.max_connections = c.server_max_connections;
  o.connections.max_per_client = c.server_max_connections_per_client;
  o.connections.idle_timeout_ms = c.server_keep_alive_timeout_ms;
  o.connections.header_timeout_ms = c.server_header_timeout_ms;
  o.connections.send_timeout_ms = c.server_request_timeout_ms;
  o.max_url_length = c.server_max_url_length;
  o.max_header_size = c.server_max_header_size;
  o.cache_bytes = c.server_cache_bytes;
  o.access_log = c.server_access_log;
  o.public_url = c.server_public_url;
  return o;
}

PublishOptions PublishOptionsFrom(const config::Config& c) {
  PublishOptions o;
  o.page_size = c.server_page_size;
  o.max_top = c.server_max_top;
  o.max_expand_depth = c.server_max_expand_depth;
  return o;
}

Result<std::unique_ptr<Publisher>> Publisher::Create(const config::Config& config,
                                                     store::Store* store,
                                                     const vocab::Vocabularies* vocabularies) {
  std::unique_ptr<Publisher> p(new Publisher());
  p->store_ = store;
  MB_ASSIGN_OR_RETURN(std::string secret, ReadSecret(config.server_link_secret_file));
  auto ctx = std::make_shared<Context>();
  ctx->registry = &model::Registry::Default();
  ctx->vocabularies = vocabularies;
  ctx->options = PublishOptionsFrom(config);
  ctx->signer = odata::LinkSigner(secret);
  MB_ASSIGN_OR_RETURN(ctx->profiles, profiles::LoadProfiles(config, vocabularies, *ctx->registry));
  p->context_ = ctx;
  p->routes_ = std::make_shared<http::RouteRegistry>();
  MB_RETURN_IF_ERROR(RegisterPublicRoutes(*p->routes_, p->context_));
  p->server_options_ = ServerOptionsFrom(config);
  p->server_options_.fingerprint = Fingerprint(config, vocabularies, secret);
  return p;
}

Status Publisher::Start() {
  if (server_) return Status::FailedPrecondition("the publisher is already started");
  server_ = std::make_unique<http::Server>(server_options_, routes_, store_);
  return server_->Start();
}

int Publisher::port() const { return server_ ? server_->port() : 0; }

void Publisher::Stop() {
  if (server_) server_->Stop();
}

http::Server::Stats Publisher::stats() const {
  return server_ ? server_->stats() : http::Server::Stats{};
}

}  // namespace meabridge::publish
