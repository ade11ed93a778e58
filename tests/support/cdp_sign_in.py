#!/usr/bin/python3
"""Signs in to meabridge's status page in a real headless Chromium, as a person would.

Drives Chromium over the DevTools protocol on --remote-debugging-pipe (file descriptors 3 and
4, messages separated by NUL bytes: no websocket library needed): opens the sign-in URL, types
the token into the form's password field, submits the form, waits for the page the sign-in
redirects to, then loads each extra URL given. Prints one JSON object:

  {"pages": [{"url": ..., "dom": ...}, ...],   the landed page, then each extra URL
   "cookies": [...],                            Network.getAllCookies: as the browser keeps them
   "documentCookie": ...}                       what a script on the page can read

usage: cdp_sign_in.py CHROMIUM PROFILE_DIR SIGN_IN_URL TOKEN [EXTRA_URL...]
"""
import fcntl
import json
import os
import subprocess
import sys
import time


def high_fd(fd):
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


class Browser:
    def __init__(self, chromium, profile):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()
        # Moved above 9, so that the child's dup2 onto 3 and 4 never meets one of them there.
        to_chrome_r, from_chrome_w = high_fd(to_chrome_r), high_fd(from_chrome_w)

        def fds():
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        self.proc = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-dev-shm-usage", "--remote-debugging-pipe",
             "--user-data-dir=" + profile, "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            # The descriptors are set up after the fork; close_fds would close them again.
            preexec_fn=fds, close_fds=False)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []

    def read_message(self, deadline):
        while b"\0" not in self.buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("no answer from chromium")
            chunk = os.read(self.from_chrome, 65536)
            if not chunk:
                raise EOFError("chromium closed the pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, params=None, session=None, timeout=30):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            m = self.read_message(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(method + ": " + json.dumps(m["error"]))
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, method, session, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == method and e.get("sessionId") == session:
                    del self.events[i]
                    return e
            self.events.append(self.read_message(deadline))

    def close(self):
        try:
            self.call("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def main():
    chromium, profile, sign_in_url, token = sys.argv[1:5]
    extra = sys.argv[5:]
    b = Browser(chromium, profile)
    try:
        target = b.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        s = b.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        b.call("Page.enable", session=s)

        def navigate(url):
            b.events.clear()
            b.call("Page.navigate", {"url": url}, session=s)
            b.wait_event("Page.loadEventFired", s)

        def evaluate(expression):
            r = b.call("Runtime.evaluate", {"expression": expression, "returnByValue": True},
                       session=s)
            return r.get("result", {}).get("value")

        def page():
            return {"url": evaluate("location.href"),
                    "dom": evaluate("document.documentElement.outerHTML")}

        navigate(sign_in_url)
        b.events.clear()
        filled = evaluate(
            "(() => { const t = document.querySelector('form#sign-in input[name=token]');"
            " if (!t) return false; t.value = " + json.dumps(token) + ";"
            " document.querySelector('form#sign-in').submit(); return true; })()")
        if not filled:
            raise RuntimeError("no sign-in form at " + sign_in_url + ": " + page()["dom"][:500])
        b.wait_event("Page.loadEventFired", s)
        pages = [page()]
        for url in extra:
            navigate(url)
            pages.append(page())
        cookies = b.call("Network.getAllCookies", session=s).get("cookies", [])
        print(json.dumps({"pages": pages, "cookies": cookies,
                          "documentCookie": evaluate("document.cookie")}))
    finally:
        b.close()


if __name__ == "__main__":
    main()
