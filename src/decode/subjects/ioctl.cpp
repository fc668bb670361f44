// ioctl requests and the terminal structs they take (struct termios, struct winsize).

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <string>

// The kernel's UAPI headers: after glibc's, whose declarations some of them clash with.
#include <asm/termios.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <linux/random.h>
#include <linux/seccomp.h>
#include <linux/sockios.h>

#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

constexpr FlagName kIoctlCmds[] = {
    // terminals
    F(TCGETS),
    F(TCSETS),
    F(TCSETSW),
    F(TCSETSF),
    F(TCGETA),
    F(TCSETA),
    F(TCSETAW),
    F(TCSETAF),
    F(TCSBRK),
    F(TCXONC),
    F(TCFLSH),
    F(TIOCEXCL),
    F(TIOCNXCL),
    F(TIOCSCTTY),
    F(TIOCGPGRP),
    F(TIOCSPGRP),
    F(TIOCOUTQ),
    F(TIOCSTI),
    F(TIOCGWINSZ),
    F(TIOCSWINSZ),
    F(TIOCMGET),
    F(TIOCMBIS),
    F(TIOCMBIC),
    F(TIOCMSET),
    F(TIOCGSOFTCAR),
    F(TIOCSSOFTCAR),
    F(TIOCLINUX),
    F(TIOCCONS),
    F(TIOCGSERIAL),
    F(TIOCSSERIAL),
    F(TIOCPKT),
    F(TIOCNOTTY),
    F(TIOCSETD),
    F(TIOCGETD),
    F(TCSBRKP),
    F(TIOCSBRK),
    F(TIOCCBRK),
    F(TIOCGSID),
    F(TCGETS2),
    F(TCSETS2),
    F(TCSETSW2),
    F(TCSETSF2),
    F(TIOCGRS485),
    F(TIOCSRS485),
    F(TIOCGPTN),
    F(TIOCSPTLCK),
    F(TIOCGDEV),
    F(TIOCSIG),
    F(TIOCVHANGUP),
    F(TIOCGPKT),
    F(TIOCGPTLCK),
    F(TIOCGEXCL),
    F(TIOCGPTPEER),
    F(TIOCSERGETLSR),
    F(TIOCMIWAIT),
    F(TIOCGICOUNT),
    // any file
    F(FIONREAD),
    F(FIONBIO),
    F(FIONCLEX),
    F(FIOCLEX),
    F(FIOASYNC),
    F(FIOQSIZE),
    F(FS_IOC_GETFLAGS),
    F(FS_IOC_SETFLAGS),
    F(FS_IOC_GETVERSION),
    F(FS_IOC_SETVERSION),
    F(FS_IOC_FIEMAP),
    F(FS_IOC_FSGETXATTR),
    F(FS_IOC_FSSETXATTR),
    F(FICLONE),
    F(FICLONERANGE),
    F(FIDEDUPERANGE),
    F(FIFREEZE),
    F(FITHAW),
    F(FITRIM),
    F(FIBMAP),
    F(FIGETBSZ),
    // block devices
    F(BLKROSET),
    F(BLKROGET),
    F(BLKRRPART),
    F(BLKGETSIZE),
    F(BLKFLSBUF),
    F(BLKRASET),
    F(BLKRAGET),
    F(BLKSSZGET),
    F(BLKBSZGET),
    F(BLKBSZSET),
    F(BLKGETSIZE64),
    F(BLKDISCARD),
    F(BLKIOMIN),
    F(BLKIOOPT),
    F(BLKPBSZGET),
    F(BLKZEROOUT),
    // /dev/random
    F(RNDGETENTCNT),
    F(RNDADDTOENTCNT),
    F(RNDGETPOOL),
    F(RNDADDENTROPY),
    F(RNDZAPENTCNT),
    F(RNDCLEARPOOL),
    F(RNDRESEEDCRNG),
    // sockets
    F(SIOCGIFNAME),
    F(SIOCGIFCONF),
    F(SIOCGIFFLAGS),
    F(SIOCSIFFLAGS),
    F(SIOCGIFADDR),
    F(SIOCGIFINDEX),
    F(SIOCGIFMTU),
    F(SIOCGIFHWADDR),
    F(SIOCINQ),
    F(SIOCOUTQ),
    F(SIOCATMARK),
    F(SIOCGSTAMP_OLD),
    F(SIOCGSTAMPNS_OLD),
    // a seccomp listener (seccomp's SECCOMP_FILTER_FLAG_NEW_LISTENER)
    F(SECCOMP_IOCTL_NOTIF_RECV),
    F(SECCOMP_IOCTL_NOTIF_SEND),
    F(SECCOMP_IOCTL_NOTIF_ID_VALID),
    F(SECCOMP_IOCTL_NOTIF_ADDFD),
};

// The fields of an _IOC-encoded request (see <asm-generic/ioctl.h>).
std::string ioc_encoding(uint64_t value) {
  auto v = static_cast<uint32_t>(value);
  if (v != value) return fmt::format("{:#x}", value);
  uint32_t dir = _IOC_DIR(v);
  const char* dirs[] = {"_IOC_NONE", "_IOC_WRITE", "_IOC_READ", "_IOC_READ|_IOC_WRITE"};
  return fmt::format("_IOC({}, {:#x}, {:#x}, {:#x})", dirs[dir & 3], _IOC_TYPE(v), _IOC_NR(v),
                     _IOC_SIZE(v));
}

constexpr FlagTable kIoctlCmd = [] {
  FlagTable t = enum_table("ioctl_cmd", kIoctlCmds);
  t.unknown = ioc_encoding;
  return t;
}();

// struct termios's mode fields (the kernel's, <asm-generic/termbits.h> and termbits-common.h).
// Multi-bit delay and size fields are listed by their non-zero values, widest first; their zero
// values (NL0, CR0, CS5 ...) are not shown.
constexpr FlagName kIflagBits[] = {
    F(IGNBRK), F(BRKINT), F(IGNPAR), F(PARMRK), F(INPCK), F(ISTRIP),  F(INLCR), F(IGNCR),
    F(ICRNL),  F(IUCLC),  F(IXON),   F(IXANY),  F(IXOFF), F(IMAXBEL), F(IUTF8),
};
constexpr FlagTable kIflag = bits_table("termios_iflag", kIflagBits);

constexpr FlagName kOflagBits[] = {
    F(OPOST), F(OLCUC), F(ONLCR), F(OCRNL), F(ONOCR), F(ONLRET), F(OFILL), F(OFDEL), F(NL1),
    F(CR3),   F(CR2),   F(CR1),   F(TAB3),  F(TAB2),  F(TAB1),   F(BS1),   F(VT1),   F(FF1),
};
constexpr FlagTable kOflag = bits_table("termios_oflag", kOflagBits);

// c_cflag: the output speed (CBAUD, with the CBAUDEX bit) first, then the character size and
// the bits; an input speed (CIBAUD) other than 0 stays in the hex rest.
constexpr FlagName kBauds[] = {
    F(B0),       F(B50),      F(B75),      F(B110),     F(B134),     F(B150),     F(B200),
    F(B300),     F(B600),     F(B1200),    F(B1800),    F(B2400),    F(B4800),    F(B9600),
    F(B19200),   F(B38400),   F(B57600),   F(B115200),  F(B230400),  F(B460800),  F(B500000),
    F(B576000),  F(B921600),  F(B1000000), F(B1152000), F(B1500000), F(B2000000), F(B2500000),
    F(B3000000), F(B3500000), F(B4000000),
};
constexpr FlagName kCflagBits[] = {
    F(CS8),    F(CS7),   F(CS6),    F(CSTOPB), F(CREAD),   F(PARENB),
    F(PARODD), F(HUPCL), F(CLOCAL), F(CMSPAR), F(CRTSCTS),
};
constexpr FlagTable kCflag = mixed_table("termios_cflag", CBAUD, kBauds, kCflagBits);

constexpr FlagName kLflagBits[] = {
    F(ISIG),   F(ICANON),  F(XCASE),   F(ECHO),   F(ECHOE),  F(ECHOK),  F(ECHONL), F(NOFLSH),
    F(TOSTOP), F(ECHOCTL), F(ECHOPRT), F(ECHOKE), F(FLUSHO), F(PENDIN), F(IEXTEN), F(EXTPROC),
};
constexpr FlagTable kLflag = bits_table("termios_lflag", kLflagBits);

// TCXONC's and TCFLSH's int argument.
constexpr FlagName kTcxoncActions[] = {F(TCOOFF), F(TCOON), F(TCIOFF), F(TCION)};
constexpr FlagTable kTcxonc = enum_table("tcxonc_action", kTcxoncActions);
constexpr FlagName kTcflshQueues[] = {F(TCIFLUSH), F(TCOFLUSH), F(TCIOFLUSH)};
constexpr FlagTable kTcflsh = enum_table("tcflsh_queue", kTcflshQueues);

static_assert(sizeof(struct termios) == 36, "the kernel's struct termios (NCCS 19)");

static_assert(sizeof(struct winsize) == 8);

// struct termios: the four mode fields by name; with -v also the line discipline and the
// control characters.
Value decode_termios(const ArgContext& c) {
  struct termios t {};
  if (!read_struct(c.mem, c.raw, &t)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("c_iflag", flags(kIflag, t.c_iflag));
  v.add("c_oflag", flags(kOflag, t.c_oflag));
  v.add("c_cflag", flags(kCflag, t.c_cflag));
  v.add("c_lflag", flags(kLflag, t.c_lflag));
  if (!c.opt.verbose) {
    v.truncated = true;
    return v;
  }
  FIELD(v, t, c_line, Value::uinteger);
  Value cc = Value::array();
  for (cc_t ch : t.c_cc) cc.add({}, Value::uinteger(ch));
  v.add("c_cc", std::move(cc));
  return v;
}

Value decode_winsize(const ArgContext& c) {
  struct winsize w {};
  if (!read_struct(c.mem, c.raw, &w)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, w, ws_row, Value::uinteger);
  FIELD(v, w, ws_col, Value::uinteger);
  FIELD(v, w, ws_xpixel, Value::uinteger);
  FIELD(v, w, ws_ypixel, Value::uinteger);
  return v;
}

constexpr Entry kStructs[] = {
    {"termios", sizeof(struct termios), decode_termios},
    {"winsize", sizeof(struct winsize), decode_winsize},
};

constexpr const FlagTable* kTables[] = {&kIoctlCmd, &kIflag,  &kOflag, &kCflag,
                                        &kLflag,    &kTcxonc, &kTcflsh};

using K = ArgKind;

// ioctl's arg, by request: the terminal requests' structs and ints (in, or out: shown once
// the call succeeded), and the requests that take an int value. Any other request's arg is an
// address (or a value) that only the driver knows how to read: hex.
constexpr ArgChoice kIoctlArgByCmd[] = {
    struct_choice(TCGETS, "termios", Dir::Out),
    struct_choice(TCSETS, "termios", Dir::In),
    struct_choice(TCSETSW, "termios", Dir::In),
    struct_choice(TCSETSF, "termios", Dir::In),
    struct_choice(TIOCGWINSZ, "winsize", Dir::Out),
    struct_choice(TIOCSWINSZ, "winsize", Dir::In),
    struct_choice(FIONREAD, "int", Dir::Out),
    struct_choice(TIOCOUTQ, "int", Dir::Out),
    struct_choice(FIONBIO, "int", Dir::In),
    struct_choice(FIOASYNC, "int", Dir::In),
    struct_choice(TIOCGPGRP, "int", Dir::Out),
    struct_choice(TIOCSPGRP, "int", Dir::In),
    struct_choice(TIOCGSID, "int", Dir::Out),
    struct_choice(TIOCGETD, "int", Dir::Out),
    struct_choice(TIOCSETD, "int", Dir::In),
    struct_choice(TIOCMGET, "int", Dir::Out),
    struct_choice(TIOCMSET, "int", Dir::In),
    struct_choice(TIOCMBIS, "int", Dir::In),
    struct_choice(TIOCMBIC, "int", Dir::In),
    struct_choice(TIOCGPTN, "int", Dir::Out),
    struct_choice(TIOCSPTLCK, "int", Dir::In),
    struct_choice(TIOCGPTLCK, "int", Dir::Out),
    struct_choice(TIOCPKT, "int", Dir::In),
    struct_choice(TIOCGPKT, "int", Dir::Out),
    struct_choice(TIOCGEXCL, "int", Dir::Out),
    {tables::value_of(TIOCSCTTY), K::Int, TableId::none},
    {tables::value_of(TCSBRK), K::Int, TableId::none},
    {tables::value_of(TCSBRKP), K::Int, TableId::none},
    {tables::value_of(TCXONC), K::Enum, TableId::tcxonc_action},
    {tables::value_of(TCFLSH), K::Enum, TableId::tcflsh_queue},
    {tables::value_of(TIOCSIG), K::Signal, TableId::none},
    struct_choice(SECCOMP_IOCTL_NOTIF_RECV, "seccomp_notif", Dir::Out),
    struct_choice(SECCOMP_IOCTL_NOTIF_SEND, "seccomp_notif_resp", Dir::In),
    struct_choice(SECCOMP_IOCTL_NOTIF_ID_VALID, "u64", Dir::In),
    struct_choice(SECCOMP_IOCTL_NOTIF_ADDFD, "seccomp_notif_addfd", Dir::In),
};
constexpr ChoiceTable kIoctlArg{"ioctl_arg", kIoctlArgByCmd, K::Hex};

constexpr const ChoiceTable* kChoices[] = {&kIoctlArg};

}  // namespace

Subject subject_ioctl() {
  return {"ioctl", kTables, kStructs, kChoices};
}

}  // namespace dtruss::structs
