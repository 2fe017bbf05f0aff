/* fstest: the in-guest file-system test suite. Each case runs in a forked
   child that exits 0 when every check in it passed, or writes why it failed
   into a pipe and exits 1; the parent prints "fstest: NAME: ok" or
   "fstest: NAME: FAILED (why)", then "N passed, M failed", and exits 0 only
   if nothing failed. `fstest NAME...` runs only the cases named.
   Every case works in names starting with "ft." in the working directory and
   removes them again, so a clean image stays clean (make check runs the
   host's fsck on the image afterwards). */
#include "user.h"

/* The format's limits (xv6's): 12 direct blocks and one indirect block of
   256 block numbers, 1024-byte blocks, 14-byte names. */
#define BLOCK 1024
#define MAX_FILE_BYTES ((12 + 256) * BLOCK)

static int reason_fd = -1;
static int passed, failed;
static unsigned char buffer[4 * BLOCK];
static unsigned char other[4 * BLOCK];

/* In a case: reports why it failed and makes the case return 1. */
#define CHECK(condition, ...)                                                                                          \
  do {                                                                                                                 \
    if (!(condition)) {                                                                                                \
      if (reason_fd >= 0)                                                                                              \
        fprintf(reason_fd, __VA_ARGS__);                                                                               \
      return 1;                                                                                                        \
    }                                                                                                                  \
  } while (0)

static unsigned char content(uint id, uint offset) {
  uint x = id * 2654435761u + offset * 40503u;
  x ^= x >> 11;
  x *= 0x2c1b3c6du;
  x ^= x >> 16;
  return (unsigned char)x;
}

static void fill(unsigned char *to, uint id, uint offset, uint count) {
  for (uint i = 0; i < count; i++)
    to[i] = content(id, offset + i);
}

/* "PREFIXnumber" into out (at most 30 bytes). */
static char *numbered(char *out, const char *prefix, uint number) {
  char digits[12];
  int n = 0, k = 0;
  do {
    digits[n++] = (char)('0' + number % 10);
    number /= 10;
  } while (number > 0);
  for (const char *s = prefix; *s != '\0' && k < 18; s++)
    out[k++] = *s;
  while (n > 0)
    out[k++] = digits[--n];
  out[k] = '\0';
  return out;
}

/* Writes `size` bytes of pattern `id` to fd in 4 KiB pieces; bytes written, or -1. */
static int write_pattern(int fd, uint id, uint size) {
  uint done = 0;
  while (done < size) {
    uint piece = size - done < sizeof buffer ? size - done : sizeof buffer;
    fill(buffer, id, done, piece);
    int n = write(fd, buffer, (int)piece);
    if (n != (int)piece)
      return n < 0 ? -1 : (int)done + n;
    done += piece;
  }
  return (int)done;
}

/* 0 if fd reads exactly `size` bytes of pattern `id` from its offset 0, else
   the first bad offset + 1 (or -1 for a wrong length). */
static int read_pattern(int fd, uint id, uint size) {
  uint done = 0;
  int n;
  while ((n = read(fd, other, sizeof other)) > 0) {
    for (int i = 0; i < n; i++) {
      if (other[i] != content(id, done + (uint)i))
        return (int)(done + (uint)i) + 1;
    }
    done += (uint)n;
  }
  return n < 0 || done != size ? -1 : 0;
}

static int file_status(const char *name, struct stat *st) {
  int fd = open(name, O_RDONLY);
  if (fd < 0)
    return -1;
  int r = fstat(fd, st);
  close(fd);
  return r;
}

/* Live entries (inode number not 0) of a directory, or -1. */
static int count_entries(const char *dir) {
  int fd = open(dir, O_RDONLY);
  if (fd < 0)
    return -1;
  struct dirent e;
  int count = 0;
  while (read(fd, &e, sizeof e) == sizeof e) {
    if (e.inum != 0)
      count++;
  }
  close(fd);
  return count;
}

/* ---- the cases ---------------------------------------------------------- */

static int files(void) {
  int fd = open("ft.a", O_CREATE | O_RDWR);
  CHECK(fd >= 0, "open(O_CREATE) of a new file failed");
  CHECK(write_pattern(fd, 1, 100) == 100, "write of 100 bytes");
  struct stat st;
  CHECK(fstat(fd, &st) == 0, "fstat failed");
  CHECK(st.type == T_FILE && st.size == 100 && st.nlink == 1 && st.ino > 1,
        "fstat: type %d size %d nlink %d ino %d", st.type, (int)st.size, st.nlink, (int)st.ino);
  CHECK(read(fd, other, 10) == 0, "read at the end of the file did not return 0");
  close(fd);
  fd = open("ft.a", O_RDONLY);
  CHECK(fd >= 0, "reopen failed");
  CHECK(read_pattern(fd, 1, 100) == 0, "content read back differs");
  CHECK(read(fd, other, 1) == 0, "read past the end did not return 0");
  close(fd);
  CHECK(unlink("ft.a") == 0, "unlink failed");
  CHECK(open("ft.a", O_RDONLY) < 0, "the file opens after its unlink");
  return 0;
}

static int flags(void) {
  CHECK(open("ft.missing", O_RDONLY) < 0, "open of a missing file without O_CREATE succeeded");
  int fd = open("ft.f", O_CREATE | O_WRONLY);
  CHECK(fd >= 0, "create failed");
  CHECK(write_pattern(fd, 2, 3000) == 3000, "write of 3000 bytes");
  CHECK(read(fd, other, 10) < 0, "read through an O_WRONLY descriptor succeeded");
  close(fd);
  fd = open("ft.f", O_RDONLY);
  CHECK(fd >= 0 && write(fd, "x", 1) < 0, "write through an O_RDONLY descriptor succeeded");
  close(fd);
  fd = open("ft.f", O_CREATE | O_RDWR);
  struct stat st;
  CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.size == 3000, "O_CREATE of an existing file changed it");
  CHECK(read_pattern(fd, 2, 3000) == 0, "O_CREATE of an existing file: content differs");
  close(fd);
  fd = open("ft.f", O_RDWR | O_TRUNC);
  CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.size == 0, "O_TRUNC left %d bytes", (int)st.size);
  CHECK(write(fd, "abcdef", 6) == 6, "write after O_TRUNC");
  close(fd);
  fd = open("ft.f", O_RDONLY);
  CHECK(fd >= 0 && read(fd, other, sizeof other) == 6 && memcmp(other, "abcdef", 6) == 0,
        "content after O_TRUNC and a write differs");
  close(fd);
  CHECK(unlink("ft.f") == 0, "unlink failed");
  return 0;
}

static int dirs(void) {
  CHECK(mkdir("ft.d") == 0, "mkdir failed");
  CHECK(mkdir("ft.d") < 0, "mkdir of an existing name succeeded");
  CHECK(mkdir("ft.nope/x") < 0, "mkdir under a missing directory succeeded");
  int fd = open("ft.d/f", O_CREATE | O_RDWR);
  CHECK(fd >= 0 && write(fd, "in d", 4) == 4, "create in a directory failed");
  close(fd);
  struct stat st;
  CHECK(file_status("ft.d", &st) == 0 && st.type == T_DIR, "fstat of a directory: type %d", st.type);
  CHECK(open("ft.d", O_RDWR) < 0 && open("ft.d", O_WRONLY) < 0, "a directory opened for writing");
  CHECK(open("ft.d/f/x", O_CREATE | O_RDWR) < 0, "a file was used as a directory");
  CHECK(file_status("ft.d/../ft.d/./f", &st) == 0 && st.size == 4, "path with . and .. failed");
  CHECK(count_entries("ft.d") == 3, "ft.d has %d entries, expected 3 (., .., f)", count_entries("ft.d"));
  CHECK(chdir("ft.d") == 0, "chdir failed");
  CHECK(file_status("f", &st) == 0 && st.size == 4, "relative path after chdir failed");
  struct stat start;
  CHECK(file_status("..", &start) == 0, "stat of .. failed");
  struct stat root;
  CHECK(file_status("/", &root) == 0 && root.type == T_DIR, "/ is not a directory");
  /* An absolute path, when the suite runs in / (as init starts it). */
  CHECK(start.ino != root.ino || (file_status("/ft.d/f", &st) == 0 && st.size == 4), "absolute path failed");
  CHECK(mkdir("sub") == 0 && chdir("sub") == 0, "mkdir and chdir into sub failed");
  CHECK(file_status("../f", &st) == 0 && st.size == 4, ".. from a subdirectory failed");
  CHECK(file_status("/..", &st) == 0 && st.ino == root.ino, "/.. is not the root directory");
  CHECK(chdir("../..") == 0, "chdir ../.. failed");
  CHECK(chdir("ft.nope") < 0, "chdir to a missing directory succeeded");
  CHECK(chdir("ft.d/f") < 0, "chdir to a file succeeded");
  CHECK(unlink("ft.d") < 0, "unlink of a non-empty directory succeeded");
  CHECK(unlink("ft.d/sub/.") < 0 && unlink("ft.d/sub/..") < 0, "unlink of . or .. succeeded");
  CHECK(unlink("ft.d/sub") == 0 && unlink("ft.d/f") == 0, "emptying the directory failed");
  CHECK(unlink("ft.d") == 0, "unlink of an empty directory failed");
  CHECK(open("ft.d", O_RDONLY) < 0, "the directory opens after its unlink");
  return 0;
}

/* A child in a directory that is removed: the kernel must not mind. */
static int removed_cwd(void) {
  CHECK(mkdir("ft.gone") == 0, "mkdir failed");
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    if (chdir("ft.gone") < 0)
      exit(1);
    sleep(3);
    struct stat st; /* the directory is empty and stays a directory */
    exit(open("x", O_RDONLY) < 0 && file_status(".", &st) == 0 && st.type == T_DIR ? 0 : 2);
  }
  sleep(1);
  CHECK(unlink("ft.gone") == 0, "unlink of a directory another process is in failed");
  int status = -1;
  CHECK(wait(&status) == pid && status == 0, "the child in the removed directory: status %d", status);
  return 0;
}

static int links(void) {
  int fd = open("ft.l1", O_CREATE | O_RDWR);
  CHECK(fd >= 0 && write_pattern(fd, 3, 2000) == 2000, "create failed");
  close(fd);
  CHECK(link("ft.l1", "ft.l2") == 0, "link failed");
  struct stat a, b;
  CHECK(file_status("ft.l1", &a) == 0 && file_status("ft.l2", &b) == 0, "stat of the two names failed");
  CHECK(a.ino == b.ino && a.nlink == 2 && b.nlink == 2, "two names: ino %d/%d nlink %d/%d", (int)a.ino, (int)b.ino,
        a.nlink, b.nlink);
  CHECK(link("ft.l1", "ft.l2") < 0, "link onto an existing name succeeded");
  CHECK(link("ft.missing", "ft.l3") < 0, "link of a missing file succeeded");
  CHECK(mkdir("ft.ld") == 0, "mkdir failed");
  CHECK(link("ft.ld", "ft.ld2") < 0, "link of a directory succeeded");
  CHECK(link("ft.l1", "ft.ld/l4") == 0, "link into a subdirectory failed");
  CHECK(unlink("ft.l1") == 0, "unlink of the first name failed");
  CHECK(file_status("ft.l2", &b) == 0 && b.nlink == 2, "after one unlink: nlink %d, expected 2", b.nlink);
  fd = open("ft.l2", O_RDONLY);
  CHECK(fd >= 0 && read_pattern(fd, 3, 2000) == 0, "the second name's content differs");
  close(fd);
  CHECK(unlink("ft.ld/l4") == 0 && unlink("ft.ld") == 0, "cleanup of ft.ld failed");
  CHECK(file_status("ft.l2", &b) == 0 && b.nlink == 1, "last name: nlink %d, expected 1", b.nlink);
  CHECK(unlink("ft.l2") == 0 && open("ft.l2", O_RDONLY) < 0, "unlink of the last name failed");
  return 0;
}

static int unlink_open(void) {
  int fd = open("ft.u", O_CREATE | O_RDWR);
  CHECK(fd >= 0 && write_pattern(fd, 4, 5000) == 5000, "create failed");
  close(fd);
  fd = open("ft.u", O_RDONLY);
  CHECK(fd >= 0, "reopen failed");
  CHECK(unlink("ft.u") == 0, "unlink of an open file failed");
  CHECK(open("ft.u", O_RDONLY) < 0, "the name still opens");
  struct stat st;
  CHECK(fstat(fd, &st) == 0 && st.nlink == 0 && st.size == 5000, "open after unlink: nlink %d size %d", st.nlink,
        (int)st.size);
  int again = open("ft.u", O_CREATE | O_RDWR);
  struct stat fresh;
  CHECK(again >= 0 && fstat(again, &fresh) == 0 && fresh.size == 0, "a new file by the same name is not empty");
  close(again);
  CHECK(read_pattern(fd, 4, 5000) == 0, "the unlinked file does not read back whole");
  close(fd);
  CHECK(unlink("ft.u") == 0, "unlink of the new file failed");
  return 0;
}

static int largest(void) {
  int fd = open("ft.max", O_CREATE | O_RDWR);
  CHECK(fd >= 0, "create failed");
  int n = write_pattern(fd, 5, MAX_FILE_BYTES);
  CHECK(n == MAX_FILE_BYTES, "wrote %d of %d bytes", n, MAX_FILE_BYTES);
  CHECK(write(fd, "x", 1) < 0, "a write past %d bytes succeeded", MAX_FILE_BYTES);
  struct stat st;
  CHECK(fstat(fd, &st) == 0 && st.size == MAX_FILE_BYTES, "size %d after the refused write", (int)st.size);
  close(fd);
  fd = open("ft.max", O_RDONLY);
  int bad = read_pattern(fd, 5, MAX_FILE_BYTES);
  CHECK(fd >= 0 && bad == 0, "reading back: %s %d", bad < 0 ? "wrong length" : "wrong byte at", bad - 1);
  close(fd);
  fd = open("ft.max", O_RDWR);
  CHECK(fd >= 0 && read(fd, other, sizeof other) == sizeof other, "reopen failed");
  CHECK(write_pattern(fd, 6, 100) == 100, "rewrite in the middle failed");
  close(fd);
  CHECK(unlink("ft.max") == 0, "unlink failed");
  return 0;
}

#define BIG_DIR_ENTRIES 300

static int bigdir(void) {
  char name[32];
  CHECK(mkdir("ft.big") == 0 && chdir("ft.big") == 0, "mkdir failed");
  int fd = open("n0", O_CREATE | O_RDWR);
  CHECK(fd >= 0 && write(fd, "shared", 6) == 6, "create failed");
  close(fd);
  for (uint i = 1; i < BIG_DIR_ENTRIES; i++)
    CHECK(link("n0", numbered(name, "n", i)) == 0, "link number %d failed", (int)i);
  int entries = count_entries(".");
  CHECK(entries == BIG_DIR_ENTRIES + 2, "%d entries, expected %d", entries, BIG_DIR_ENTRIES + 2);
  struct stat st;
  CHECK(file_status("n299", &st) == 0 && st.nlink == BIG_DIR_ENTRIES, "nlink %d, expected %d", st.nlink,
        BIG_DIR_ENTRIES);
  CHECK(file_status("n300", &st) < 0, "a name never made opens");
  for (uint i = 0; i < BIG_DIR_ENTRIES; i += 2)
    CHECK(unlink(numbered(name, "n", i)) == 0, "unlink of n%d failed", (int)i);
  CHECK(count_entries(".") == BIG_DIR_ENTRIES / 2 + 2, "%d entries after removing half", count_entries("."));
  fd = open("n151", O_RDONLY);
  CHECK(fd >= 0 && read(fd, other, 10) == 6 && memcmp(other, "shared", 6) == 0, "n151 reads wrong");
  close(fd);
  CHECK(link("n1", "n0") == 0 && unlink("n0") == 0, "a name in a freed slot: link or unlink failed");
  for (uint i = 1; i < BIG_DIR_ENTRIES; i += 2)
    CHECK(unlink(numbered(name, "n", i)) == 0, "unlink of n%d failed", (int)i);
  CHECK(count_entries(".") == 2, "%d entries left, expected . and ..", count_entries("."));
  CHECK(chdir("..") == 0 && unlink("ft.big") == 0, "removing the emptied directory failed");
  return 0;
}

static int fork_offset(void) {
  int fd = open("ft.s", O_CREATE | O_RDWR);
  CHECK(fd >= 0, "create failed");
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0)
    exit(write(fd, "child,", 6) == 6 ? 0 : 1);
  int status = -1;
  CHECK(wait(&status) == pid && status == 0, "the child's write failed");
  CHECK(write(fd, "parent,", 7) == 7, "the parent's write failed");
  int copy = dup(fd);
  CHECK(copy >= 0 && write(copy, "dup", 3) == 3, "write through dup failed");
  close(copy);
  close(fd);
  fd = open("ft.s", O_RDONLY);
  int n = read(fd, other, sizeof other);
  CHECK(n == 16 && memcmp(other, "child,parent,dup", 16) == 0, "content is %d bytes, not child,parent,dup", n);
  close(fd);
  /* Reading: the child consumes the first 6 bytes for the parent too. */
  fd = open("ft.s", O_RDONLY);
  pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0)
    exit(read(fd, other, 6) == 6 ? 0 : 1);
  CHECK(wait(&status) == pid && status == 0, "the child's read failed");
  n = read(fd, other, 7);
  CHECK(n == 7 && memcmp(other, "parent,", 7) == 0, "the parent did not continue where the child stopped");
  close(fd);
  CHECK(unlink("ft.s") == 0, "unlink failed");
  return 0;
}

#define WRITERS 4
#define RECORDS 60

/* Four processes at once: each writes its own file, and 16-byte records
   through one shared descriptor; every record lands whole. */
static int concurrent(void) {
  int shared = open("ft.shared", O_CREATE | O_RDWR);
  CHECK(shared >= 0, "create failed");
  char name[32];
  for (uint w = 0; w < WRITERS; w++) {
    int pid = fork();
    CHECK(pid >= 0, "fork failed");
    if (pid == 0) {
      int fd = open(numbered(name, "ft.w", w), O_CREATE | O_RDWR);
      if (fd < 0)
        exit(1);
      char record[16];
      for (uint r = 0; r < RECORDS; r++) {
        fill(buffer, 10 + w, r * 300, 300);
        if (write(fd, buffer, 300) != 300)
          exit(3);
        memset(record, 'a' + (int)w, sizeof record);
        record[15] = '\n';
        if (write(shared, record, sizeof record) != sizeof record)
          exit(4);
      }
      close(fd);
      exit(0);
    }
  }
  int failures = 0, status;
  for (uint w = 0; w < WRITERS; w++) {
    if (wait(&status) < 0 || status != 0)
      failures++;
  }
  CHECK(failures == 0, "%d writers failed", failures);
  close(shared);
  for (uint w = 0; w < WRITERS; w++) {
    int fd = open(numbered(name, "ft.w", w), O_RDONLY);
    CHECK(fd >= 0 && read_pattern(fd, 10 + w, RECORDS * 300) == 0, "writer %d's file differs", (int)w);
    close(fd);
    CHECK(unlink(name) == 0, "unlink failed");
  }
  int counts[WRITERS] = {0};
  int fd = open("ft.shared", O_RDONLY);
  CHECK(fd >= 0, "reopen failed");
  char record[16];
  int total = 0;
  while (read(fd, record, sizeof record) == sizeof record) {
    int w = record[0] - 'a';
    CHECK(w >= 0 && w < WRITERS && record[15] == '\n' && record[14] == record[0], "record %d is torn", total);
    counts[w]++;
    total++;
  }
  close(fd);
  for (int w = 0; w < WRITERS; w++)
    CHECK(counts[w] == RECORDS, "writer %d has %d records, expected %d", w, counts[w], RECORDS);
  CHECK(unlink("ft.shared") == 0, "unlink failed");
  return 0;
}

/* Creates files until the inodes run out: open returns -1 (the kernel goes
   on), mkdir too; after the files go, creating works again. */
static int no_inodes(void) {
  char name[32];
  CHECK(mkdir("ft.in") == 0 && chdir("ft.in") == 0, "mkdir failed");
  uint made = 0;
  for (;;) {
    int fd = open(numbered(name, "i", made), O_CREATE | O_RDWR);
    if (fd < 0)
      break;
    close(fd);
    made++;
    CHECK(made < 10000, "10000 files and the inodes have not run out");
  }
  CHECK(made > 0, "not even one file could be created");
  CHECK(mkdir("dir") < 0, "mkdir succeeded with no inode left");
  CHECK(open(numbered(name, "i", made), O_CREATE | O_RDWR) < 0, "create succeeded on a second try");
  for (uint i = 0; i < made; i++)
    CHECK(unlink(numbered(name, "i", i)) == 0, "unlink of i%d failed", (int)i);
  int fd = open("again", O_CREATE | O_RDWR);
  CHECK(fd >= 0, "create failed after the inodes were freed (%d made before)", (int)made);
  close(fd);
  CHECK(unlink("again") == 0 && chdir("..") == 0 && unlink("ft.in") == 0, "cleanup failed");
  return 0;
}

/* Writes largest-size files until the data blocks run out: the failing
   write returns -1 or a short count, never more; unlinking gives the blocks
   back. */
static int no_blocks(void) {
  char name[32];
  CHECK(mkdir("ft.blk") == 0 && chdir("ft.blk") == 0, "mkdir failed");
  uint files = 0, total = 0;
  int full = 0;
  while (!full) {
    int fd = open(numbered(name, "b", files), O_CREATE | O_RDWR);
    if (fd < 0) {
      full = 1; /* the directory could not grow: also out of blocks */
      break;
    }
    files++;
    int n = write_pattern(fd, 20 + files, MAX_FILE_BYTES);
    CHECK(n <= MAX_FILE_BYTES, "write returned more than asked");
    close(fd);
    if (n < MAX_FILE_BYTES) {
      full = 1;
      total += n < 0 ? 0 : (uint)n;
    } else {
      total += (uint)n;
    }
    CHECK(files < 1000, "1000 files of 268 KiB and the disk is not full");
  }
  CHECK(files > 0 && total > 0, "nothing could be written");
  int fd = open("more", O_CREATE | O_RDWR);
  if (fd >= 0) {
    int n = write(fd, buffer, BLOCK);
    close(fd);
    CHECK(n < 0 || n == 0, "a write to a full disk returned %d", n);
    CHECK(unlink("more") == 0, "unlink of more failed");
  }
  fd = open("b0", O_RDONLY);
  CHECK(fd >= 0, "b0 does not open on the full disk");
  int bad = read_pattern(fd, 21, files > 1 ? MAX_FILE_BYTES : total);
  close(fd);
  CHECK(bad == 0, "b0 differs on the full disk (%d)", bad);
  for (uint i = 0; i < files; i++)
    CHECK(unlink(numbered(name, "b", i)) == 0, "unlink of b%d failed", (int)i);
  fd = open("after", O_CREATE | O_RDWR);
  int n = fd < 0 ? -1 : write_pattern(fd, 7, 20 * BLOCK);
  close(fd);
  CHECK(n == 20 * BLOCK, "writing after the blocks were freed: %d (%d bytes in %d files before)", n, (int)total,
        (int)files);
  CHECK(unlink("after") == 0 && chdir("..") == 0 && unlink("ft.blk") == 0, "cleanup failed");
  return 0;
}

/* ---- the harness -------------------------------------------------------- */

struct test_case {
  const char *name;
  int (*body)(void);
};

static const struct test_case cases[] = {
    {"files", files},
    {"flags", flags},
    {"dirs", dirs},
    {"removed-cwd", removed_cwd},
    {"links", links},
    {"unlink-open", unlink_open},
    {"largest", largest},
    {"bigdir", bigdir},
    {"fork-offset", fork_offset},
    {"concurrent", concurrent},
    {"no-inodes", no_inodes},
    {"no-blocks", no_blocks},
};
#define CASE_COUNT ((int)(sizeof cases / sizeof cases[0]))

static void run(const struct test_case *c) {
  int reasons[2];
  int have_pipe = pipe(reasons) == 0;
  int pid = fork();
  if (pid == 0) {
    if (have_pipe) {
      close(reasons[0]);
      reason_fd = reasons[1];
    }
    exit(c->body());
  }
  if (have_pipe)
    close(reasons[1]);
  int status = -1;
  char why[120];
  int length = 0;
  if (pid < 0) {
    memcpy(why, "fork failed", 11);
    length = 11;
  } else {
    while (wait(&status) != pid) {
    }
    if (status != 0 && have_pipe)
      length = read(reasons[0], why, sizeof why - 1);
    if (length < 0)
      length = 0;
  }
  if (have_pipe)
    close(reasons[0]);
  why[length] = '\0';
  if (pid >= 0 && status == 0) {
    passed++;
    printf("fstest: %s: ok\n", c->name);
  } else {
    failed++;
    if (length == 0)
      printf("fstest: %s: FAILED (exit status %d)\n", c->name, status);
    else
      printf("fstest: %s: FAILED (%s)\n", c->name, why);
  }
}

int main(int argc, char *argv[]) {
  int before = count_entries(".");
  for (int i = 0; i < CASE_COUNT; i++) {
    int chosen = argc < 2;
    for (int a = 1; a < argc; a++)
      chosen |= strcmp(argv[a], cases[i].name) == 0;
    if (chosen)
      run(&cases[i]);
  }
  /* Nothing a case made may be left behind. */
  int after = count_entries(".");
  if (before >= 0 && after == before) {
    passed++;
    printf("fstest: nothing left behind: ok\n");
  } else {
    failed++;
    printf("fstest: nothing left behind: FAILED (%d entries before, %d after)\n", before, after);
  }
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
