/* Fixed-width names user programs use (the xv6 spellings). */
#ifndef SWIFTLET_TYPES_H
#define SWIFTLET_TYPES_H
typedef unsigned int uint;
typedef unsigned short ushort;
typedef unsigned char uchar;
typedef unsigned char uint8;
typedef unsigned short uint16;
typedef unsigned int uint32;
typedef unsigned long uint64;
typedef unsigned long size_t;
#ifndef NULL
#define NULL ((void *)0)
#endif
#endif
