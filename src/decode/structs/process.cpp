// Struct decoders: the process family (see registry.h). 
#include "decode/structs/registry.h"

namespace dtruss::structs {

List process_structs() { return {}; }

}  // namespace dtruss::structs
