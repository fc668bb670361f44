// bpf(2)'s commands.

#include <linux/bpf.h>
#include <linux/perf_event.h>

#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

// <linux/bpf.h> (enum bpf_cmd; BPF_PROG_RUN is another name of BPF_PROG_TEST_RUN);
// BPF_TOKEN_CREATE from include/uapi/linux/bpf.h (Linux 6.9).
constexpr FlagName kBpfCmds[] = {
    F(BPF_MAP_CREATE),
    F(BPF_MAP_LOOKUP_ELEM),
    F(BPF_MAP_UPDATE_ELEM),
    F(BPF_MAP_DELETE_ELEM),
    F(BPF_MAP_GET_NEXT_KEY),
    F(BPF_PROG_LOAD),
    F(BPF_OBJ_PIN),
    F(BPF_OBJ_GET),
    F(BPF_PROG_ATTACH),
    F(BPF_PROG_DETACH),
    F(BPF_PROG_TEST_RUN),
    F(BPF_PROG_GET_NEXT_ID),
    F(BPF_MAP_GET_NEXT_ID),
    F(BPF_PROG_GET_FD_BY_ID),
    F(BPF_MAP_GET_FD_BY_ID),
    F(BPF_OBJ_GET_INFO_BY_FD),
    F(BPF_PROG_QUERY),
    F(BPF_RAW_TRACEPOINT_OPEN),
    F(BPF_BTF_LOAD),
    F(BPF_BTF_GET_FD_BY_ID),
    F(BPF_TASK_FD_QUERY),
    F(BPF_MAP_LOOKUP_AND_DELETE_ELEM),
    F(BPF_MAP_FREEZE),
    F(BPF_BTF_GET_NEXT_ID),
    F(BPF_MAP_LOOKUP_BATCH),
    F(BPF_MAP_LOOKUP_AND_DELETE_BATCH),
    F(BPF_MAP_UPDATE_BATCH),
    F(BPF_MAP_DELETE_BATCH),
    F(BPF_LINK_CREATE),
    F(BPF_LINK_UPDATE),
    F(BPF_LINK_GET_FD_BY_ID),
    F(BPF_LINK_GET_NEXT_ID),
    F(BPF_ENABLE_STATS),
    F(BPF_ITER_CREATE),
    F(BPF_LINK_DETACH),
    F(BPF_PROG_BIND_MAP),
    N(36, "BPF_TOKEN_CREATE"),
};
constexpr FlagTable kBpfCmd = enum_table("bpf_cmd", kBpfCmds);

constexpr const FlagTable* kTables[] = {&kBpfCmd};

}  // namespace

Subject subject_bpf() {
  return {"bpf", kTables, {}, {}};
}

}  // namespace dtruss::structs
