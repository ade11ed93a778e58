// A child process for the status page's browser test: the publisher and the daemon's own
// endpoints (RegisterDaemonRoutes) over the real store of a configuration, with a Control that
// reports the configured sources and never schedules anything. It prints
// "publishing STORE on http://HOST:PORT/" to standard error (as `meabridge serve` does) and
// serves until SIGTERM or SIGINT.
//
// usage: daemon_status_server CONFIG [PORT]   (PORT 0: any free port; default: the config's)
#include <pthread.h>
#include <signal.h>

#include <cstdlib>
#include <iostream>

#include "config/config.h"
#include "daemon/control.h"
#include "daemon/web/web.h"
#include "publish/publisher.h"
#include "store/store.h"

namespace {

using namespace meabridge;

class ConfigControl : public daemon::Control {
 public:
  explicit ConfigControl(std::shared_ptr<const config::Config> c) : config_(std::move(c)) {}
  std::shared_ptr<const config::Config> config() const override { return config_; }
  std::vector<daemon::SourceState> Sources() const override {
    std::vector<daemon::SourceState> out;
    for (const config::SourceConfig& s : config_->sources) {
      daemon::SourceState st;
      st.name = s.name;
      st.kind = s.kind;
      st.schedule = s.schedule;
      st.enabled = s.enabled;
      out.push_back(st);
    }
    return out;
  }
  Status StartHarvest(const std::string& source, bool) override {
    return Status::Unavailable("this test server does not harvest (" + source + ")");
  }
  Status Reload() override { return Status::Unavailable("this test server does not reload"); }
  bool Ready() const override { return true; }

 private:
  std::shared_ptr<const config::Config> config_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 && argc != 3) {
    std::cerr << "usage: daemon_status_server CONFIG [PORT]\n";
    return 2;
  }
  config::LoadResult loaded = config::LoadConfigFile(argv[1]);
  if (!loaded.config) {
    for (const auto& e : loaded.errors) std::cerr << e.ToString() << "\n";
    return 2;
  }
  if (argc == 3) {
    auto c = std::make_shared<config::Config>(*loaded.config);
    c->server_port = std::atoi(argv[2]);
    loaded.config = c;
  }
  auto opened = store::OpenStore(loaded.config->store_location);
  if (!opened.ok()) {
    std::cerr << opened.status().ToString() << "\n";
    return 1;
  }
  std::unique_ptr<store::Store> store = std::move(*opened);
  auto publisher = publish::Publisher::Create(*loaded.config, store.get(), nullptr);
  if (!publisher.ok()) {
    std::cerr << publisher.status().ToString() << "\n";
    return 1;
  }
  ConfigControl control(loaded.config);
  daemon::web::Metrics metrics;
  daemon::web::WebDeps deps;
  deps.control = &control;
  deps.store = store.get();
  deps.metrics = &metrics;
  deps.publish = &(*publisher)->context();
  Status st = daemon::web::RegisterDaemonRoutes((*publisher)->routes(), deps);
  if (!st.ok()) {
    std::cerr << st.ToString() << "\n";
    return 1;
  }
  (*publisher)->server_options().observer = [&metrics](const publish::http::AccessRecord& r) {
    metrics.ObserveRequest(r);
  };
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  st = (*publisher)->Start();
  if (!st.ok()) {
    std::cerr << st.ToString() << "\n";
    return 1;
  }
  std::cerr << "publishing " << loaded.config->store_location << " on http://"
            << loaded.config->server_bind << ":" << (*publisher)->port() << "/" << std::endl;
  int sig = 0;
  sigwait(&stop, &sig);
  (*publisher)->Stop();
  return 0;
}
