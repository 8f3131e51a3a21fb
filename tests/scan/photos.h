/* The texts of the codes in tests/data/photos (drawn by make_photos.c, read by test_decoder.c). */
#ifndef BORNE_TESTS_SCAN_PHOTOS_H
#define BORNE_TESTS_SCAN_PHOTOS_H

#define BORNE_PHOTO_SHEARED_TEXT "MECARD:N:Tremblay,Helene;;"
#define BORNE_PHOTO_PRINT_TEXT                                                                     \
    "https://borne.example.org/accueil?evenement=colloque-2026&badge=HT-0042&salle=B-1234"

#endif
