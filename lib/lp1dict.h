/* The preset deflate dictionary of LP1: texts (lib/lp1dict.c). */
#ifndef LEERPAS_LP1DICT_H
#define LEERPAS_LP1DICT_H

#define LP_LP1_DICT_V1_LEN 623u
#define LP_LP1_DICT_V1_ID 0xc5abcb5eu /* its Adler-32, as zlib's DICTID names it */
#define LP_LP1_WINDOW_BITS 12 /* LP1 streams: a 4 KiB window, zlib header 48 E6 */

extern const unsigned char lp_lp1_dict_v1[LP_LP1_DICT_V1_LEN];

#endif
