/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
#ifndef GL_BOUND_BPF_H
#define GL_BOUND_BPF_H

/*
 * Masks an index where the verifier sees it: clang removes a mask it can
 * prove redundant from a loop bound, the verifier cannot prove it.
 */
#define GL_BOUND(var, mask) asm volatile("%0 &= %1" : "+r"(var) : "i"(mask))

#endif
