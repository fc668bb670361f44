// ioctl requests: the common terminal, file and block-device requests by name; any other request
// as the _IOC(direction, type, number, size) it encodes (most drivers build theirs with _IO*).
// Facts from <asm-generic/ioctls.h> (via <sys/ioctl.h>: TC*, TIOC*, FIO*), <linux/fs.h> (FS_IOC_*,
// FICLONE*, BLK*), <linux/random.h> (RND*), <linux/ioctl.h> (the _IOC encoding), and
// <linux/sockios.h> (SIOC*).
#include <asm/termbits.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <linux/random.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>

#include <string>

#include <fmt/format.h>

#include "decode/tables/registry.h"

namespace dtruss::tables {
namespace {

constexpr FlagName kIoctlCmds[] = {
    // terminals
    F(TCGETS), F(TCSETS), F(TCSETSW), F(TCSETSF), F(TCGETA), F(TCSETA), F(TCSETAW), F(TCSETAF),
    F(TCSBRK), F(TCXONC), F(TCFLSH), F(TIOCEXCL), F(TIOCNXCL), F(TIOCSCTTY), F(TIOCGPGRP),
    F(TIOCSPGRP), F(TIOCOUTQ), F(TIOCSTI), F(TIOCGWINSZ), F(TIOCSWINSZ), F(TIOCMGET), F(TIOCMBIS),
    F(TIOCMBIC), F(TIOCMSET), F(TIOCGSOFTCAR), F(TIOCSSOFTCAR), F(TIOCLINUX), F(TIOCCONS),
    F(TIOCGSERIAL), F(TIOCSSERIAL), F(TIOCPKT), F(TIOCNOTTY), F(TIOCSETD), F(TIOCGETD),
    F(TCSBRKP), F(TIOCSBRK), F(TIOCCBRK), F(TIOCGSID), F(TCGETS2), F(TCSETS2), F(TCSETSW2),
    F(TCSETSF2), F(TIOCGRS485), F(TIOCSRS485), F(TIOCGPTN), F(TIOCSPTLCK), F(TIOCGDEV),
    F(TIOCSIG), F(TIOCVHANGUP), F(TIOCGPKT), F(TIOCGPTLCK), F(TIOCGEXCL), F(TIOCGPTPEER),
    F(TIOCSERGETLSR), F(TIOCMIWAIT), F(TIOCGICOUNT),
    // any file
    F(FIONREAD), F(FIONBIO), F(FIONCLEX), F(FIOCLEX), F(FIOASYNC), F(FIOQSIZE),
    F(FS_IOC_GETFLAGS), F(FS_IOC_SETFLAGS), F(FS_IOC_GETVERSION), F(FS_IOC_SETVERSION),
    F(FS_IOC_FIEMAP), F(FS_IOC_FSGETXATTR), F(FS_IOC_FSSETXATTR), F(FICLONE), F(FICLONERANGE),
    F(FIDEDUPERANGE), F(FIFREEZE), F(FITHAW), F(FITRIM), F(FIBMAP), F(FIGETBSZ),
    // block devices
    F(BLKROSET), F(BLKROGET), F(BLKRRPART), F(BLKGETSIZE), F(BLKFLSBUF), F(BLKRASET), F(BLKRAGET),
    F(BLKSSZGET), F(BLKBSZGET), F(BLKBSZSET), F(BLKGETSIZE64), F(BLKDISCARD), F(BLKIOMIN),
    F(BLKIOOPT), F(BLKPBSZGET), F(BLKZEROOUT),
    // /dev/random
    F(RNDGETENTCNT), F(RNDADDTOENTCNT), F(RNDGETPOOL), F(RNDADDENTROPY), F(RNDZAPENTCNT),
    F(RNDCLEARPOOL), F(RNDRESEEDCRNG),
    // sockets
    F(SIOCGIFNAME), F(SIOCGIFCONF), F(SIOCGIFFLAGS), F(SIOCSIFFLAGS), F(SIOCGIFADDR),
    F(SIOCGIFINDEX), F(SIOCGIFMTU), F(SIOCGIFHWADDR), F(SIOCINQ), F(SIOCOUTQ), F(SIOCATMARK),
    F(SIOCGSTAMP_OLD), F(SIOCGSTAMPNS_OLD),
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

constexpr const FlagTable* kTables[] = {&kIoctlCmd};

}  // namespace

TableList ioctl_tables() { return kTables; }

}  // namespace dtruss::tables
