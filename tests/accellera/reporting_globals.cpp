// The globals of the Accellera examples' reporting.h, defined by each of
// their sc_main files (which ours replace).
#define REPORT_DEFINE_GLOBALS
#include "reporting.h"
