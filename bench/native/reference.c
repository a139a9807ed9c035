/*
 * The native reference for `npm run bench`: the emulator's two hottest loops, the hot table
 * walk (emulator/pgtable/walker.ts HotWalker, 4K granule) and the TLB hit
 * (emulator/smmu/tlb.ts Tlb.lookup), written as plain C over the same data, so that the
 * bench can say how far the JS is from what the algorithm costs natively.
 *
 * Same algorithm, same data: the bench (bench/nativeReference.ts) writes the table pages the
 * JS walked, the walk order, the permission table, the TLB's cached pages and the look-up
 * sequence to one file; this program reads it, keeps the pages behind the same look-up
 * cache (4096 direct-mapped slots in front of a page map), walks with the same walk cache
 * (one slot per level-3 table's span), hashes TLB tags the same way and stamps each hit for
 * LRU, and times batches for the same minimum time, reporting the median batch rate.
 *
 * Output: one JSON object on stdout, {"walks_per_s":…,"tlb_hits_per_s":…,"walk_checksum":…}.
 * The checksum (the sum of one pass's output pages) lets the bench check that the walks
 * found the pages the JS found.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WORDS_PER_PAGE 1024
#define LOOKUP_SLOTS 4096
#define WALK_CACHE_SLOTS 4096
#define MIN_SECONDS 0.6

/* ---- input ---- */

static FILE *input;

static uint64_t read_u64(void) {
  uint64_t value;
  if (fread(&value, sizeof value, 1, input) != 1) {
    fprintf(stderr, "reference: the input ends early\n");
    exit(2);
  }
  return value;
}

static void read_bytes(void *into, size_t bytes) {
  if (bytes != 0 && fread(into, bytes, 1, input) != 1) {
    fprintf(stderr, "reference: the input ends early\n");
    exit(2);
  }
}

/* ---- physical memory: a page map behind a direct-mapped look-up cache ---- */

static uint64_t *page_numbers; /* the page map: open addressing, page number + 1 (0 = empty) */
static uint32_t **page_words;
static uint64_t page_map_mask;

static uint64_t lookup_numbers[LOOKUP_SLOTS];
static uint32_t *lookup_words[LOOKUP_SLOTS];
static const uint32_t zero_page[WORDS_PER_PAGE];

static uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return x;
}

static void page_map_put(uint64_t number, uint32_t *words) {
  uint64_t bucket = mix(number) & page_map_mask;
  while (page_numbers[bucket] != 0) bucket = (bucket + 1) & page_map_mask;
  page_numbers[bucket] = number + 1;
  page_words[bucket] = words;
}

static uint32_t *page_map_get(uint64_t number) {
  for (uint64_t bucket = mix(number) & page_map_mask; page_numbers[bucket] != 0; bucket = (bucket + 1) & page_map_mask) {
    if (page_numbers[bucket] == number + 1) return page_words[bucket];
  }
  return (uint32_t *)zero_page;
}

static inline uint32_t page_word(uint64_t number, uint32_t index) {
  uint32_t slot = number & (LOOKUP_SLOTS - 1);
  if (lookup_numbers[slot] != number) {
    lookup_numbers[slot] = number;
    lookup_words[slot] = page_map_get(number);
  }
  return lookup_words[slot][index];
}

/* ---- the hot walk (4K granule) ---- */

enum { WALK_OK, TRANSLATION_FAULT, ADDRESS_SIZE_FAULT, ACCESS_FLAG_FAULT, PERMISSION_FAULT };

#define HI_TABLE_ATTRIBUTES 0xf8000000u /* NSTable, APTable, UXNTable, PXNTable: bits [63:59] */

static uint64_t root_page;
static int start_level;
static uint64_t page_limit;
static int oas_shift;
static uint8_t direct_permissions[16];
static uint8_t required;

static int64_t cached_regions[WALK_CACHE_SLOTS];
static uint64_t cached_tables[WALK_CACHE_SLOTS];
static uint32_t cached_attributes[WALK_CACHE_SLOTS];

struct walk_result {
  int level;
  uint64_t output_page;
  uint32_t permissions;
};

static int walk(uint64_t vpn, struct walk_result *out) {
  out->level = 0;
  if (vpn >= page_limit) return TRANSLATION_FAULT;
  uint64_t region = vpn >> 9;
  uint32_t slot = region & (WALK_CACHE_SLOTS - 1);
  int level;
  uint64_t page;
  uint32_t table_attributes;
  if (cached_regions[slot] == (int64_t)region) {
    level = 3;
    page = cached_tables[slot];
    table_attributes = cached_attributes[slot];
  } else {
    level = start_level;
    page = root_page;
    table_attributes = 0;
  }
  for (;;) {
    out->level = level;
    uint32_t index = (vpn >> (9 * (3 - level))) & 0x1ff;
    uint32_t lo = page_word(page, index << 1);
    if ((lo & 1) == 0) return TRANSLATION_FAULT;
    uint32_t hi = page_word(page, (index << 1) + 1);
    uint32_t oa_high = hi & 0xffff;
    uint32_t bit1 = lo & 2;
    if (level != 3 && bit1 != 0) {
      if ((oa_high >> oas_shift) != 0) return ADDRESS_SIZE_FAULT;
      table_attributes |= hi & HI_TABLE_ATTRIBUTES;
      page = ((uint64_t)oa_high << 20) | (lo >> 12);
      level++;
      if (level == 3) {
        cached_regions[slot] = (int64_t)region;
        cached_tables[slot] = page;
        cached_attributes[slot] = table_attributes;
      }
      continue;
    }
    if (level < 1 || (level == 3 && bit1 == 0)) return TRANSLATION_FAULT;
    if ((oa_high >> oas_shift) != 0) return ADDRESS_SIZE_FAULT;
    uint64_t span = 1ULL << (9 * (3 - level));
    out->output_page = ((((uint64_t)oa_high << 20) | (lo >> 12)) & ~(span - 1)) + (vpn & (span - 1));
    if ((lo & 0x400) == 0) return ACCESS_FLAG_FAULT;
    uint32_t ap_table = (table_attributes >> 29) & 3;
    uint32_t ap = (((lo >> 6) & 3) & ~(ap_table & 1)) | (ap_table & 2);
    uint32_t xn = hi | (table_attributes >> 6);
    out->permissions = direct_permissions[(((xn >> 22) & 1) << 3) | (((xn >> 21) & 1) << 2) | ap];
    return (out->permissions & required) == 0 ? PERMISSION_FAULT : WALK_OK;
  }
}

/* ---- the TLB: open addressing from tag to slot, a use stamp per slot ---- */

static uint32_t tlb_hash_shift;
static uint32_t tlb_bucket_mask;
static int32_t *tlb_buckets;
static uint64_t *tlb_tags;
static double *tlb_stamps;
static uint64_t *tlb_output_pages;
static uint8_t *tlb_permissions;
static double tlb_clock;

static inline uint32_t tlb_hash(uint32_t context, uint64_t vpn) {
  uint32_t high = (uint32_t)(vpn >> 32);
  return ((((uint32_t)vpn) ^ ((context | (high << 16)) * 0x27d4eb2du)) * 0x9e3779b1u) >> tlb_hash_shift;
}

static inline int32_t tlb_lookup(uint32_t context, uint64_t vpn) {
  uint64_t tag = ((uint64_t)context << 36) + vpn;
  for (uint32_t bucket = tlb_hash(context, vpn);; bucket = (bucket + 1) & tlb_bucket_mask) {
    int32_t slot = tlb_buckets[bucket];
    if (slot < 0) return -1;
    if (tlb_tags[slot] == tag) {
      tlb_stamps[slot] = ++tlb_clock;
      return slot;
    }
  }
}

/* ---- timing: the median rate of batches run for MIN_SECONDS ---- */

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

typedef uint64_t (*batch_fn)(void);

static double rate(double per_batch, batch_fn batch, uint64_t *sink) {
  *sink += batch(); /* warm up, as the JS does */
  size_t count = 0, capacity = 1024;
  double *rates = malloc(capacity * sizeof *rates);
  double start = now(), previous = start;
  while (previous - start < MIN_SECONDS) {
    *sink += batch();
    double t = now();
    if (count == capacity) rates = realloc(rates, (capacity *= 2) * sizeof *rates);
    rates[count++] = per_batch / (t - previous);
    previous = t;
  }
  qsort(rates, count, sizeof *rates, compare_doubles);
  double median = count % 2 == 1 ? rates[count / 2] : (rates[count / 2 - 1] + rates[count / 2]) / 2;
  free(rates);
  return median;
}

static uint64_t first_page;
static uint32_t walk_count;
static uint32_t *walk_order;
static uint64_t walk_failures;

static uint64_t walk_batch(void) {
  struct walk_result out;
  uint64_t sum = 0;
  for (uint32_t i = 0; i < walk_count; i++) {
    if (walk(first_page + walk_order[i], &out) != WALK_OK) walk_failures++;
    sum += out.output_page;
  }
  return sum;
}

static uint32_t tlb_context;
static uint32_t lookup_count;
static uint64_t *lookups;
static uint64_t tlb_failures;

static uint64_t tlb_batch(void) {
  uint64_t sum = 0;
  for (int round = 0; round < 16; round++) {
    for (uint32_t i = 0; i < lookup_count; i++) {
      int32_t slot = tlb_lookup(tlb_context, lookups[i]);
      if (slot < 0 || (tlb_permissions[slot] & required) == 0) {
        tlb_failures++;
      } else {
        sum += tlb_output_pages[slot] * 4096 + (i & 0xfff);
      }
    }
  }
  return sum;
}

int main(int argc, char **argv) {
  if (argc != 2 || (input = fopen(argv[1], "rb")) == NULL) {
    fprintf(stderr, "usage: reference WORKLOAD-FILE\n");
    return 2;
  }
  /* The walk: the table's geometry, the permission table, the pages, the order. */
  root_page = read_u64();
  start_level = (int)read_u64();
  page_limit = read_u64();
  oas_shift = (int)read_u64();
  required = (uint8_t)read_u64();
  read_bytes(direct_permissions, sizeof direct_permissions);
  uint64_t pages = read_u64();
  uint64_t map_size = 16;
  while (map_size < pages * 4) map_size *= 2;
  page_map_mask = map_size - 1;
  page_numbers = calloc(map_size, sizeof *page_numbers);
  page_words = calloc(map_size, sizeof *page_words);
  for (uint64_t p = 0; p < pages; p++) {
    uint64_t number = read_u64();
    uint32_t *words = malloc(WORDS_PER_PAGE * sizeof *words);
    read_bytes(words, WORDS_PER_PAGE * sizeof *words);
    page_map_put(number, words);
  }
  for (int slot = 0; slot < LOOKUP_SLOTS; slot++) lookup_numbers[slot] = UINT64_MAX;
  for (int slot = 0; slot < WALK_CACHE_SLOTS; slot++) cached_regions[slot] = -1;
  first_page = read_u64();
  walk_count = (uint32_t)read_u64();
  walk_order = malloc(walk_count * sizeof *walk_order);
  read_bytes(walk_order, walk_count * sizeof *walk_order);

  /* The TLB: its buckets' size, the cached pages in slot order, the look-ups. */
  uint32_t capacity = (uint32_t)read_u64();
  uint32_t bits = (uint32_t)read_u64();
  tlb_bucket_mask = (1u << bits) - 1;
  tlb_hash_shift = 32 - bits;
  tlb_context = (uint32_t)read_u64();
  tlb_buckets = malloc((size_t)(1u << bits) * sizeof *tlb_buckets);
  memset(tlb_buckets, 0xff, (size_t)(1u << bits) * sizeof *tlb_buckets);
  tlb_tags = calloc(capacity, sizeof *tlb_tags);
  tlb_stamps = calloc(capacity, sizeof *tlb_stamps);
  tlb_output_pages = calloc(capacity, sizeof *tlb_output_pages);
  tlb_permissions = calloc(capacity, sizeof *tlb_permissions);
  for (uint32_t slot = 0; slot < capacity; slot++) {
    uint64_t vpn = read_u64();
    tlb_output_pages[slot] = read_u64();
    tlb_permissions[slot] = (uint8_t)read_u64();
    if (tlb_lookup(tlb_context, vpn) >= 0) continue; /* the JS refreshes a repeated page in place */
    uint32_t bucket = tlb_hash(tlb_context, vpn);
    while (tlb_buckets[bucket] >= 0) bucket = (bucket + 1) & tlb_bucket_mask;
    tlb_buckets[bucket] = (int32_t)slot;
    tlb_tags[slot] = ((uint64_t)tlb_context << 36) + vpn;
    tlb_stamps[slot] = ++tlb_clock;
  }
  lookup_count = (uint32_t)read_u64();
  lookups = malloc(lookup_count * sizeof *lookups);
  read_bytes(lookups, lookup_count * sizeof *lookups);
  fclose(input);

  uint64_t sink = 0;
  uint64_t checksum = walk_batch();
  double walks_per_s = rate(walk_count, walk_batch, &sink);
  double tlb_hits_per_s = rate((double)lookup_count * 16, tlb_batch, &sink);
  if (walk_failures != 0 || tlb_failures != 0) {
    fprintf(stderr, "reference: %llu walks faulted, %llu look-ups missed\n", (unsigned long long)walk_failures, (unsigned long long)tlb_failures);
    return 1;
  }
  printf("{\"walks_per_s\":%.0f,\"tlb_hits_per_s\":%.0f,\"walk_checksum\":%llu,\"sink\":%llu}\n", walks_per_s, tlb_hits_per_s,
         (unsigned long long)checksum, (unsigned long long)(sink & 1));
  return 0;
}
