/* A QEMU TCG plugin that counts the instructions a guest executes, for
   comparing Swiftlet with another kernel that lets user mode read no counter
   (Tools/xv6-bench/README.md). It counts every instruction it sees execute
   (one vCPU), and sets apart the ones run while the kernel has nothing to
   run, by a rule given as arguments:

     switch=ADDR   the context-switch routine's entry: while idle, entering it
                   means a process is about to run again (idle ends)
     loop=ADDR     idle rule "scan": the scheduler's loop head. Reaching it
                   twice with no switch in between means a whole scan found
                   nothing runnable: idle starts there
     wfi=1         idle rule "wfi": idle starts at a wait-for-interrupt

   The measured program marks its intervals with a hint instruction that
   does nothing (slti zero, zero, N): at each one the plugin prints
   "insn-count mark N total=T idle=I" to QEMU's log (-d plugin -D FILE).

   The plugin API is declared here (the few calls used, in the form of
   QEMU 7.2's plugin interface, version 1), so that no QEMU headers are
   needed to build it. */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn, qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn, enum qemu_plugin_op op,
                                                void *ptr, uint64_t imm);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
void qemu_plugin_outs(const char *string);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

/* One vCPU (the measurement boots with -smp 1), so plain globals. */
static uint64_t total;       /* instructions executed */
static uint64_t idle_total;  /* of them, while idle */
static uint64_t idle_since;  /* `total` when the current idle period began */
static bool idle;
static bool loop_seen, switch_seen;
static uint64_t switch_address, loop_address;
static bool wfi_rule;

/* RISC-V encodings: wfi, and the marker slti x0, x0, imm (imm in 31:20). */
#define WFI 0x10500073u
#define MARKER_MASK 0x000fffffu
#define MARKER_BITS 0x00002013u

static void begin_idle(void) {
    if (!idle) {
        idle = true;
        idle_since = total;
    }
}

static void on_switch(unsigned int vcpu, void *data) {
    (void)vcpu, (void)data;
    if (idle) {
        idle_total += total - idle_since;
        idle = false;
    }
    switch_seen = true;
}

static void on_loop(unsigned int vcpu, void *data) {
    (void)vcpu, (void)data;
    if (loop_seen && !switch_seen)
        begin_idle();
    loop_seen = true;
    switch_seen = false;
}

static void on_wfi(unsigned int vcpu, void *data) {
    (void)vcpu, (void)data;
    begin_idle();
}

static void on_marker(unsigned int vcpu, void *data) {
    (void)vcpu;
    uint64_t idle_now = idle_total + (idle ? total - idle_since : 0);
    char line[128];
    snprintf(line, sizeof line, "insn-count mark %u total=%" PRIu64 " idle=%" PRIu64 "\n",
             (unsigned)(uintptr_t)data, total, idle_now);
    qemu_plugin_outs(line);
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
    (void)id;
    size_t n = qemu_plugin_tb_n_insns(tb);
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t address = qemu_plugin_insn_vaddr(insn);
        uint32_t word = 0;
        size_t size = qemu_plugin_insn_size(insn);
        memcpy(&word, qemu_plugin_insn_data(insn), size < 4 ? size : 4);
        if (size == 4 && (word & MARKER_MASK) == MARKER_BITS)
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_marker, QEMU_PLUGIN_CB_NO_REGS,
                                                   (void *)(uintptr_t)(word >> 20));
        if (switch_address && address == switch_address)
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_switch, QEMU_PLUGIN_CB_NO_REGS, NULL);
        if (loop_address && address == loop_address)
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_loop, QEMU_PLUGIN_CB_NO_REGS, NULL);
        if (wfi_rule && size == 4 && word == WFI)
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_wfi, QEMU_PLUGIN_CB_NO_REGS, NULL);
        qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &total, 1);
    }
}

static void on_plugin_exit(qemu_plugin_id_t id, void *data) {
    (void)id, (void)data;
    char line[128];
    snprintf(line, sizeof line, "insn-count exit total=%" PRIu64 " idle=%" PRIu64 "\n", total, idle_total);
    qemu_plugin_outs(line);
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                                               int argc, char **argv) {
    (void)info;
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "switch=", 7) == 0)
            switch_address = strtoull(argv[i] + 7, NULL, 0);
        else if (strncmp(argv[i], "loop=", 5) == 0)
            loop_address = strtoull(argv[i] + 5, NULL, 0);
        else if (strcmp(argv[i], "wfi=1") == 0)
            wfi_rule = true;
        else {
            fprintf(stderr, "insn-count: unknown argument %s\n", argv[i]);
            return -1;
        }
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, on_plugin_exit, NULL);
    return 0;
}
