// Struct decoders: the net family (see registry.h). 
#include "decode/structs/registry.h"

namespace dtruss::structs {

List net_structs() { return {}; }

}  // namespace dtruss::structs
