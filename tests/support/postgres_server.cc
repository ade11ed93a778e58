#include "postgres_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <vector>

namespace meabridge::testing {
namespace {

namespace fs = std::filesystem;

bool Executable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

// The folder of initdb and pg_ctl: $MEABRIDGE_PG_BINDIR, or the newest
// /usr/lib/postgresql/<version>/bin that has both.
std::string FindBinDir() {
  const char* env = std::getenv("MEABRIDGE_PG_BINDIR");
  if (env && *env) return env;
  std::string best;
  int best_version = -1;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    std::string name = e.path().filename().string();
    int version = std::atoi(name.c_str());
    std::string bin = e.path().string() + "/bin";
    if (version > best_version && Executable(bin + "/initdb") && Executable(bin + "/pg_ctl")) {
      best = bin;
      best_version = version;
    }
  }
  return best;
}

std::string Tail(const std::string& path, size_t max = 1500) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > max ? "..." + s.substr(s.size() - max) : s;
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

std::string RandomHex(size_t bytes) {
  std::string out;
  std::ifstream in("/dev/urandom", std::ios::binary);
  static const char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < bytes; ++i) {
    unsigned char c = static_cast<unsigned char>(in.get());
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

struct Child {
  uid_t uid;
  gid_t gid;
  bool drop;
};

// In a forked child: becomes the server's user. Only async-signal-safe calls.
void DropPrivileges(const Child& c) {
  if (!c.drop) return;
  if (setgroups(0, nullptr) != 0 || setgid(c.gid) != 0 || setuid(c.uid) != 0) _exit(126);
}

// Runs `argv` as the server's user in `cwd`, its output appended to `log`; the exit status
// (-1 when it could not run).
int Run(const Child& c, const std::vector<std::string>& argv, const std::string& cwd,
        const std::string& log) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int in = open("/dev/null", O_RDONLY);
    if (out < 0 || in < 0) _exit(125);
    dup2(in, 0);
    dup2(out, 1);
    dup2(out, 2);
    DropPrivileges(c);
    if (chdir(cwd.c_str()) != 0) _exit(124);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::mutex g_mu;
PostgresServer::Options g_options;   // guarded by g_mu
PostgresServer* g_server = nullptr;  // guarded by g_mu
bool g_tried = false;                // guarded by g_mu
std::string g_error;                 // guarded by g_mu

}  // namespace

void PostgresServer::Configure(const Options& options) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_options = options;
}

PostgresServer* PostgresServer::Shared(std::string* error) {
  std::lock_guard<std::mutex> lock(g_mu);
  if (!g_tried) {
    g_tried = true;
    auto* s = new PostgresServer();
    if (s->Start(g_options, &g_error)) {
      g_server = s;
    } else {
      s->Stop();
      delete s;
    }
  }
  if (!g_server && error) *error = g_error;
  return g_server;
}

void PostgresServer::StopShared() {
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_server) {
    g_server->Stop();
    delete g_server;
    g_server = nullptr;
  }
}

std::string PostgresServer::Url(const std::string& database, const std::string& query) const {
  std::string url = "postgresql://" + user_ + ":" + password_ + "@" + host_ + ":" +
                    std::to_string(port_) + "/" + database;
  if (!query.empty()) url += "?" + query;
  return url;
}

bool PostgresServer::Start(const Options& opts, std::string* error) {
  bindir_ = FindBinDir();
  if (bindir_.empty() || !Executable(bindir_ + "/initdb") || !Executable(bindir_ + "/pg_ctl")) {
    const char* env = std::getenv("MEABRIDGE_PG_BINDIR");
    *error = "PostgreSQL server binaries not found (looked for initdb and pg_ctl in " +
             (env && *env ? "$MEABRIDGE_PG_BINDIR, " + std::string(env)
                          : std::string("/usr/lib/postgresql/<version>/bin")) +
             "): install Debian's postgresql package (scripts/setup.sh does), or point "
             "MEABRIDGE_PG_BINDIR at a folder holding initdb and pg_ctl";
    return false;
  }
  // initdb and pg_ctl refuse root: run the server as nobody then.
  drop_privileges_ = geteuid() == 0;
  if (drop_privileges_) {
    const passwd* pw = getpwnam("nobody");
    if (!pw) {
      *error = "the tests run as root and there is no user 'nobody' to run PostgreSQL as";
      return false;
    }
    uid_ = pw->pw_uid;
    gid_ = pw->pw_gid;
  }
  std::string tmpl = (fs::temp_directory_path() / "meabridge-pg-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) {
    *error = "cannot create a folder for the test PostgreSQL server in " +
             fs::temp_directory_path().string() + ": " + std::strerror(errno);
    return false;
  }
  dir_ = tmpl;
  if (drop_privileges_ && chown(dir_.c_str(), uid_, gid_) != 0) {
    *error = "cannot give " + dir_ + " to nobody: " + std::strerror(errno);
    fs::remove_all(dir_);
    dir_.clear();
    return false;
  }
  const Child child{uid_, gid_, drop_privileges_};
  const std::string pg_ctl = bindir_ + "/pg_ctl";
  const std::string data = dir_ + "/data";

  // The watchdog: stops the server and removes the folder once this process is gone (its
  // stdin, the read end of a pipe whose only write end this process holds, then reads EOF).
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    *error = std::string("pipe2: ") + std::strerror(errno);
    return false;
  }
  const std::string script =
      "read _; \"$0\" -D \"$1\" -m immediate -w -t 60 stop >/dev/null 2>&1; rm -rf \"$2\"";
  std::vector<std::string> wargv = {"/bin/sh", "-c", script, pg_ctl, data, dir_};
  std::vector<char*> wargs;
  for (const std::string& a : wargv) wargs.push_back(const_cast<char*>(a.c_str()));
  wargs.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  if (pid == 0) {
    setsid();  // no terminal signal reaches it: it outlives a ^C of the tests
    dup2(fds[0], 0);
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) {
      dup2(null, 1);
      dup2(null, 2);
    }
    DropPrivileges(child);
    if (chdir("/") != 0) _exit(124);
    execv(wargs[0], wargs.data());
    _exit(127);
  }
  close(fds[0]);
  watchdog_fd_ = fds[1];
  watchdog_pid_ = pid;

  password_ = RandomHex(12);
  const std::string pwfile = dir_ + "/pwfile";
  {
    std::ofstream out(pwfile);
    out << password_ << "\n";
  }
  chmod(pwfile.c_str(), 0600);
  if (drop_privileges_ && chown(pwfile.c_str(), uid_, gid_) != 0) {
    *error = "cannot give " + pwfile + " to nobody: " + std::strerror(errno);
    return false;
  }

  const std::string initdb_log = dir_ + "/initdb.log";
  std::vector<std::string> initdb = {bindir_ + "/initdb",
                                     "-D",
                                     data,
                                     "-U",
                                     user_,
                                     "--pwfile=" + pwfile,
                                     "--auth-host=scram-sha-256",
                                     "--auth-local=trust",
                                     "-E",
                                     "UTF8",
                                     "--no-sync",
                                     "--locale=C.UTF-8"};
  std::vector<std::string> with_icu = initdb;
  with_icu.push_back("--locale-provider=icu");
  with_icu.push_back("--icu-locale=en-US");
  if (Run(child, with_icu, dir_, initdb_log) != 0) {
    // A server without ICU: the C.UTF-8 locale then.
    std::error_code ec;
    fs::remove_all(data, ec);
    if (Run(child, initdb, dir_, initdb_log) != 0) {
      *error = "initdb failed (" + bindir_ + "/initdb, as " +
               (drop_privileges_ ? std::string("nobody") : std::string("this user")) +
               "): " + Tail(initdb_log);
      return false;
    }
  }

  const std::string log = dir_ + "/postgres.log";
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = FreePort();
    if (port_ == 0) continue;
    std::string options = "-c port=" + std::to_string(port_) +
                          " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + dir_ +
                          " -c max_connections=200 -c log_min_messages=warning"
                          " -c log_min_error_statement=panic" +
                          (opts.durable ? " -c shared_buffers=256MB"
                                        : " -c fsync=off -c synchronous_commit=off"
                                          " -c full_page_writes=off -c shared_buffers=32MB");
    std::vector<std::string> start = {pg_ctl, "-D", data, "-l",    log,    "-w",
                                      "-t",   "60", "-o", options, "start"};
    if (Run(child, start, dir_, dir_ + "/pg_ctl.log") == 0) return true;
    std::string tail = Tail(log);
    if (tail.find("could not bind") == std::string::npos &&
        tail.find("Address already in use") == std::string::npos) {
      *error = "pg_ctl start failed: " + Tail(dir_ + "/pg_ctl.log") + " " + tail;
      return false;
    }
  }
  *error = "pg_ctl start found no free port on 127.0.0.1: " + Tail(log);
  return false;
}

void PostgresServer::Stop() {
  if (watchdog_fd_ >= 0) {
    close(watchdog_fd_);  // the watchdog stops the server and removes the folder
    watchdog_fd_ = -1;
    int status = 0;
    while (waitpid(watchdog_pid_, &status, 0) < 0 && errno == EINTR) {
    }
    watchdog_pid_ = -1;
  } else if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

}  // namespace meabridge::testing
