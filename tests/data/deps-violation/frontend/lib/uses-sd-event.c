#include <systemd/sd-event.h>
#include <xen/io/sndif.h>
#include "vtest.h"
