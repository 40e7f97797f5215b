/* SPDX-License-Identifier: Apache-2.0 */
/*
 * When the kernel refuses a program: libbpf's messages during the load are
 * taken in (the verifier's log goes to a file, not to the terminal), and
 * one line says which program, on which kernel, the verifier's last word,
 * where the full log is and how to report it. The line is also kept under
 * /run/graylane for `graylane status`, until a start succeeds.
 */
#ifndef GL_REFUSAL_H
#define GL_REFUSAL_H

#include <stdarg.h>
#include <stddef.h>
#include <bpf/libbpf.h>

/* A libbpf print callback: warnings as usual, a program's load log kept aside. */
int gl_refusal_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap);
/* Where the warnings go: fn gets each line (NULL: stderr). */
void gl_refusal_set_sink(void (*fn)(const char *line));

/* After a failed load: the line, or 0 when no program was refused (another failure). */
int gl_refusal_line(char *line, size_t n);

/* The last start's failure for this pin root: kept, cleared, read back. */
void gl_start_error_keep(const char *pin_root, const char *line);
void gl_start_error_clear(const char *pin_root);
int gl_start_error_read(const char *pin_root, char *line, size_t n);

#endif
