#include "vsnd/wire.h"
