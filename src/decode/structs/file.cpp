// Struct decoders: the file family (see registry.h). 
#include "decode/structs/registry.h"

namespace dtruss::structs {

List file_structs() { return {}; }

}  // namespace dtruss::structs
