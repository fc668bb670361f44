#include "output/top_screen.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <ncurses.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <utility>
#include <vector>

namespace dtruss {
namespace {

// The screen's wake-up pipe, for the SIGWINCH handler (async-signal-safe: a write).
std::atomic<int> g_winch_fd{-1};

void on_winch(int) {
  int fd = g_winch_fd.load();
  if (fd < 0) return;
  int saved = errno;
  char w = 'w';
  (void)!write(fd, &w, 1);
  errno = saved;
}

// Keys, as the help line says them.
constexpr const char* kHelp =
    "sort: c calls  e errors  l p99  m max  n name | view: 1 syscalls  2 processes  3 programs  "
    "Tab | / filter | space pause | q quit";

// The screen shows ASCII only: "≈" (estimated) becomes "~" (no locale is set for ncursesw).
std::string ascii(std::string s) {
  static const std::string kApprox = "\u2248";
  for (size_t at = s.find(kApprox); at != std::string::npos; at = s.find(kApprox, at))
    s.replace(at, kApprox.size(), "~");
  return s;
}

}  // namespace

struct TopScreen::Curses {
  FILE* out = nullptr;
  SCREEN* screen = nullptr;
  struct sigaction old_winch {};
};

TopScreen::TopScreen(int fd, Settings settings) : fd_(fd), s_(settings) {}

TopScreen::~TopScreen() {
  stop();
}

bool TopScreen::start() {
  if (curses_) return true;
  if (pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) return false;
  auto c = std::make_unique<Curses>();
  int dup_fd = fcntl(fd_, F_DUPFD_CLOEXEC, 3);
  c->out = dup_fd >= 0 ? fdopen(dup_fd, "w") : nullptr;
  if (c->out == nullptr) {
    if (dup_fd >= 0) close(dup_fd);
    close(wake_[0]);
    close(wake_[1]);
    wake_[0] = wake_[1] = -1;
    return false;
  }
  // Our SIGWINCH handler before ncurses starts (it then installs none): a resize wakes the thread,
  // whichever thread the signal interrupted. (SA_RESTART: the tracer's waits go on.)
  g_winch_fd.store(wake_[1]);
  struct sigaction sa {};
  sa.sa_handler = on_winch;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGWINCH, &sa, &c->old_winch);
  c->screen = newterm(nullptr, c->out, stdin);
  if (c->screen == nullptr) {
    sigaction(SIGWINCH, &c->old_winch, nullptr);
    g_winch_fd.store(-1);
    fclose(c->out);
    close(wake_[0]);
    close(wake_[1]);
    wake_[0] = wake_[1] = -1;
    return false;
  }
  set_term(c->screen);
  cbreak();
  noecho();
  nonl();
  curs_set(0);
  keypad(stdscr, TRUE);
  nodelay(stdscr, TRUE);
  set_escdelay(25);
  curses_ = std::move(c);
  // The thread takes no signal: SIGINT, SIGALRM, SIGCHLD... interrupt the tracer's waits.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  thread_ = std::thread([this] { run(); });
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return true;
}

void TopScreen::wake(char why) {
  if (wake_[1] >= 0) (void)!write(wake_[1], &why, 1);  // (full: a wake-up is pending anyway)
}

void TopScreen::show(TopSnapshot snapshot) {
  if (!curses_) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_ = std::move(snapshot);
  }
  wake('s');
}

void TopScreen::stop() {
  if (!curses_) return;
  stopping_.store(true);
  wake('q');
  if (thread_.joinable()) thread_.join();
  endwin();
  delscreen(curses_->screen);
  fclose(curses_->out);
  sigaction(SIGWINCH, &curses_->old_winch, nullptr);
  g_winch_fd.store(-1);
  close(wake_[0]);
  close(wake_[1]);
  wake_[0] = wake_[1] = -1;
  curses_.reset();
}

void TopScreen::run() {
  bool keys = true;  // standard input still open
  draw();
  while (!stopping_.load()) {
    pollfd fds[2] = {{wake_[0], POLLIN, 0},
                     {STDIN_FILENO, static_cast<short>(keys ? POLLIN : 0), 0}};
    if (poll(fds, 2, -1) < 0) continue;  // (EINTR: the thread takes no signal, but still)
    bool resized = false;
    if (fds[0].revents & POLLIN) {
      char buf[64];
      ssize_t n;
      while ((n = read(wake_[0], buf, sizeof buf)) > 0)
        for (ssize_t i = 0; i < n; ++i) resized |= buf[i] == 'w';
    }
    if (stopping_.load()) break;
    if (resized) {
      winsize ws{};
      if (ioctl(fd_, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
        resizeterm(ws.ws_row, ws.ws_col);
      clearok(curscr, TRUE);
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (pending_) {
        latest_ = std::move(pending_);
        pending_.reset();
        if (paused_) ++missed_;
        // A started command shares the terminal: what it wrote (and a line end that scrolled)
        // is painted over each interval, every line drawn anew.
        clearok(curscr, TRUE);
      }
    }
    if (!paused_ && latest_) shown_ = latest_;
    if (fds[1].revents & (POLLHUP | POLLERR | POLLNVAL)) keys = false;
    if (fds[1].revents & POLLIN)
      for (int ch = wgetch(stdscr); ch != ERR; ch = wgetch(stdscr)) handle_key(ch);
    draw();
  }
}

void TopScreen::handle_key(int ch) {
  if (editing_) {
    if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
      editing_ = false;
    } else if (ch == 27) {  // Esc: the filter as it was
      editing_ = false;
      filter_ = filter_before_;
    } else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
      if (!filter_.empty()) filter_.pop_back();
    } else if (ch >= 0x20 && ch < 0x7f && filter_.size() < 64) {
      filter_ += static_cast<char>(ch);
    }
    return;
  }
  switch (ch) {
    case 'q':
    case 'Q':
      // As Ctrl-C: to the process (not this thread, which takes no signal), sent by a process,
      // so that a command dtruss started gets it too.
      ++quits_;
      kill(getpid(), SIGINT);
      return;
    case 'c':
      s_.sort = TopSort::Calls;
      return;
    case 'e':
      s_.sort = TopSort::Errors;
      return;
    case 'l':
      s_.sort = TopSort::Latency;
      return;
    case 'm':
      s_.sort = TopSort::Max;
      return;
    case 'n':
      s_.sort = TopSort::Name;
      return;
    case '1':
      s_.view = TopView::Syscalls;
      return;
    case '2':
      s_.view = TopView::Processes;
      return;
    case '3':
      s_.view = TopView::Programs;
      return;
    case '\t':
      s_.view = static_cast<TopView>((static_cast<size_t>(s_.view) + 1) % kTopViews);
      return;
    case ' ':
      paused_ = !paused_;
      missed_ = 0;
      if (!paused_ && latest_) shown_ = latest_;
      return;
    case '/':
      editing_ = true;
      filter_before_ = filter_;
      filter_.clear();
      return;
    case 12:  // Ctrl-L
      clearok(curscr, TRUE);
      return;
    default:  // KEY_RESIZE among them: drawn anew below
      return;
  }
}

void TopScreen::draw() {
  erase();
  int rows = LINES, cols = COLS;
  auto put = [&](int y, const std::string& text, attr_t attr = A_NORMAL) {
    if (y < 0 || y >= rows) return;
    attron(attr);
    mvaddnstr(y, 0, text.c_str(), cols);
    attroff(attr);
  };
  std::string when = "--:--:--";
  if (shown_) {
    time_t secs = static_cast<time_t>(shown_->realtime_ns / 1000000000);
    tm local{};
    localtime_r(&secs, &local);
    char buf[16];
    strftime(buf, sizeof buf, "%H:%M:%S", &local);
    when = buf;
  }
  put(0,
      fmt::format("dtruss --top  {}  every {:g} s  view: {}  sort: {}{}", when, s_.interval_s,
                  top_view_name(s_.view), top_sort_name(s_.sort),
                  paused_ ? fmt::format("  [PAUSED: {} newer]", missed_) : ""),
      A_BOLD);
  std::string filter_line =
      editing_ ? "filter: " + filter_ + "_  (Enter: keep, Esc: cancel)"
               : (filter_.empty() ? std::string() : "filter: " + filter_ + "  (/ to change)");
  if (quits_ > 0)
    filter_line =
        quits_ == 1 ? "quitting: the trace ends as with Ctrl-C (q again: detach)" : "quitting...";
  put(1, filter_line);
  int y = 2;
  put(y++, top_header(s_.view), A_REVERSE);
  if (shown_) {
    for (const TopRow* r : top_rows(*shown_, s_.view, s_.sort, filter_)) {
      if (y >= rows - 2) break;
      put(y++, ascii(top_line(*r, s_.view, shown_->seconds)));
    }
    put(rows - 2, top_total(*shown_), A_BOLD);
  } else {
    put(y, "(waiting for the first interval)");
  }
  put(rows - 1, kHelp, A_DIM);
  refresh();
}

}  // namespace dtruss
