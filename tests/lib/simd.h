/* SPDX-License-Identifier: MIT */
/*
 * simd.h - start and drive xensimd from a test.
 *
 * vtest_simd_start() runs the xensimd binary named by $VTEST_XENSIMD in a
 * fresh temporary run directory and returns once xensimd has printed its
 * readiness line (no sleeps); the test skips (exit 77) when the binary is
 * not built. Domains are created and destroyed with the xensimd-ctl binary
 * named by $VTEST_XENSIMD_CTL. vtest_simd_stop() ends xensimd and removes
 * the run directory. Any failure fails the test.
 */
#ifndef VSND_VTEST_SIMD_H
#define VSND_VTEST_SIMD_H

#include <stdint.h>
#include <sys/types.h>

struct vtest_simd {
	pid_t pid;
	char dir[256];		/* the run directory */
	char spec[272];		/* "sim:<dir>", for xenif_open() */
};

void vtest_simd_start(struct vtest_simd *s);
void vtest_simd_stop(struct vtest_simd *s);
/* xensimd-ctl --run-dir DIR domain create N --name NAME */
void vtest_simd_domain_create(struct vtest_simd *s, uint32_t domid, const char *name);
/* xensimd-ctl --run-dir DIR domain destroy N */
void vtest_simd_domain_destroy(struct vtest_simd *s, uint32_t domid);
/* Run xensimd-ctl with @argv (NULL-terminated, without the program name
 * and --run-dir); return its exit status. */
int vtest_simd_ctl(struct vtest_simd *s, const char *const *argv);

#endif /* VSND_VTEST_SIMD_H */
