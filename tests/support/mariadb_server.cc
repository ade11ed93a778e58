#include "mariadb_server.h"

#include "support/exec_image.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

namespace meabridge::testing {
namespace {

namespace fs = std::filesystem;

bool Executable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

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

// Starts argv with its output appended to `log` (and `env` added); the pid, or -1.
pid_t Spawn(const std::vector<std::string>& argv, const std::string& log,
            const std::vector<std::string>& env = {}) {
  const ExecImage image(argv, env);  // built before fork: the child must not allocate
  pid_t pid = fork();
  if (pid != 0) return pid;
  int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  int in = open("/dev/null", O_RDONLY);
  if (out < 0 || in < 0) _exit(125);
  dup2(in, 0);
  dup2(out, 1);
  dup2(out, 2);
  image.Exec();
}

int Wait(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string BinDir(const char* fallback) {
  const char* env = std::getenv("MEABRIDGE_MARIADB_BINDIR");
  return env && *env ? std::string(env) : std::string(fallback);
}

std::mutex g_mu;
MariadbServer* g_server = nullptr;  // guarded by g_mu
bool g_tried = false;               // guarded by g_mu
bool g_missing = false;             // guarded by g_mu
std::string g_error;                // guarded by g_mu

}  // namespace

MariadbServer* MariadbServer::Shared(std::string* error, bool* missing) {
  std::lock_guard<std::mutex> lock(g_mu);
  if (!g_tried) {
    g_tried = true;
    auto* s = new MariadbServer();
    if (s->Start(&g_error, &g_missing)) {
      g_server = s;
    } else {
      s->Stop();
      delete s;
    }
  }
  if (!g_server) {
    if (error) *error = g_error;
    if (missing) *missing = g_missing;
  }
  return g_server;
}

void MariadbServer::StopShared() {
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_server) {
    g_server->Stop();
    delete g_server;
    g_server = nullptr;
  }
}

bool MariadbServer::Admin(const std::string& sql, std::string* error) const {
  const std::string log = dir_ + "/admin.log";
  std::error_code ec;
  fs::remove(log, ec);
  pid_t pid = Spawn({client_, "--no-defaults", "-S", socket(), "-uroot", "-e", sql}, log);
  if (pid < 0 || Wait(pid) != 0) {
    *error = "mariadb -e \"" + sql + "\" failed: " + Tail(log);
    return false;
  }
  return true;
}

bool MariadbServer::Start(std::string* error, bool* missing) {
  const std::string install = BinDir("/usr/bin") + "/mariadb-install-db";
  const std::string server = BinDir("/usr/sbin") + "/mariadbd";
  client_ = BinDir("/usr/bin") + "/mariadb";
  for (const std::string& b : {install, server, client_}) {
    if (!Executable(b)) {
      *missing = true;
      *error = "MariaDB server binaries not found (" + b +
               "): install Debian's mariadb-server package (scripts/setup.sh does), or point "
               "MEABRIDGE_MARIADB_BINDIR at a folder holding mariadb-install-db, mariadbd and "
               "mariadb";
      return false;
    }
  }
  std::string tmpl = (fs::temp_directory_path() / "meabridge-mariadb-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) {
    *error = "cannot create a folder for the test MariaDB server: " + std::string(std::strerror(errno));
    return false;
  }
  dir_ = tmpl;
  const std::string data = dir_ + "/data";
  const std::string pidfile = dir_ + "/mysqld.pid";
  const bool root = geteuid() == 0;

  // The watchdog: once this process is gone (EOF on the pipe), kill the server and remove
  // the folder.
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    *error = std::string("pipe2: ") + std::strerror(errno);
    return false;
  }
  const std::string script =
      "read _; [ -f \"$0\" ] && kill -9 \"$(cat \"$0\")\" 2>/dev/null; rm -rf \"$1\"";
  std::vector<std::string> wargv = {"/bin/sh", "-c", script, pidfile, dir_};
  std::vector<char*> wargs;
  for (const std::string& a : wargv) wargs.push_back(const_cast<char*>(a.c_str()));
  wargs.push_back(nullptr);
  pid_t wpid = fork();
  if (wpid < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  if (wpid == 0) {
    setsid();
    dup2(fds[0], 0);
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) {
      dup2(null, 1);
      dup2(null, 2);
    }
    if (chdir("/") != 0) _exit(124);
    execv(wargs[0], wargs.data());
    _exit(127);
  }
  close(fds[0]);
  watchdog_fd_ = fds[1];
  watchdog_pid_ = wpid;

  std::vector<std::string> init = {install, "--no-defaults", "--datadir=" + data,
                                   "--auth-root-authentication-method=normal", "--skip-test-db",
                                   "--skip-name-resolve"};
  if (root) init.push_back("--user=root");
  pid_t ipid = Spawn(init, dir_ + "/install.log");
  if (ipid < 0 || Wait(ipid) != 0) {
    *error = "mariadb-install-db failed: " + Tail(dir_ + "/install.log");
    return false;
  }

  // mariadbd tells its readiness on NOTIFY_SOCKET (sd_notify), a datagram socket of ours.
  const std::string notify = dir_ + "/notify.sock";
  int nfd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, notify.c_str(), sizeof addr.sun_path - 1);
  if (nfd < 0 || bind(nfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    *error = "cannot bind " + notify + ": " + std::strerror(errno);
    if (nfd >= 0) close(nfd);
    return false;
  }
  port_ = FreePort();
  std::vector<std::string> argv = {server,
                                   "--no-defaults",
                                   "--datadir=" + data,
                                   "--bind-address=127.0.0.1",
                                   "--port=" + std::to_string(port_),
                                   "--socket=" + socket(),
                                   "--pid-file=" + pidfile,
                                   "--log-error=" + dir_ + "/error.log",
                                   "--skip-name-resolve",
                                   "--skip-log-bin",
                                   "--innodb-buffer-pool-size=64M",
                                   "--innodb-log-file-size=16M",
                                   "--innodb-flush-log-at-trx-commit=0",
                                   "--max-connections=200",
                                   "--default-time-zone=+01:00",
                                   "--character-set-server=utf8mb4",
                                   "--collation-server=utf8mb4_general_ci"};
  if (root) argv.push_back("--user=root");
  server_pid_ = Spawn(argv, dir_ + "/mariadbd.out", {"NOTIFY_SOCKET=" + notify});
  if (server_pid_ < 0) {
    close(nfd);
    *error = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  bool ready = false;
  for (int waited_ms = 0; !ready && waited_ms < 60000;) {
    pollfd p{nfd, POLLIN, 0};
    int n = poll(&p, 1, 250);
    if (n > 0) {
      char buf[512];
      ssize_t got = recv(nfd, buf, sizeof buf - 1, 0);
      if (got > 0) {
        buf[got] = 0;
        ready = std::strstr(buf, "READY=1") != nullptr;
      }
      continue;
    }
    waited_ms += 250;
    int status = 0;
    if (waitpid(server_pid_, &status, WNOHANG) == server_pid_) {
      server_pid_ = -1;
      break;
    }
  }
  close(nfd);
  if (!ready) {
    *error = "mariadbd did not become ready (" + dir_ + "/error.log): " + Tail(dir_ + "/error.log");
    return false;
  }
  password_ = RandomHex(12);
  const std::string grant = "CREATE USER '" + user_ + "'@'127.0.0.1' IDENTIFIED BY '" + password_ +
                            "'; GRANT ALL ON *.* TO '" + user_ + "'@'127.0.0.1'";
  return Admin(grant, error);
}

void MariadbServer::Stop() {
  if (server_pid_ > 0) {
    kill(server_pid_, SIGTERM);
    Wait(server_pid_);
    server_pid_ = -1;
  }
  if (watchdog_fd_ >= 0) {
    close(watchdog_fd_);
    watchdog_fd_ = -1;
    Wait(watchdog_pid_);
    watchdog_pid_ = -1;
  } else if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

}  // namespace meabridge::testing
