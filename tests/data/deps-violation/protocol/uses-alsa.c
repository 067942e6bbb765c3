#include <alsa/asoundlib.h>
#include "xenif/xenif.h"
