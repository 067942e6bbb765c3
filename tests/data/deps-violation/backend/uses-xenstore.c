#include <xenstore.h>
