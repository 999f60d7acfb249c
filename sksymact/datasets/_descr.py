"""Descriptions (``DESCR``) of the datasets."""

HIGGS_DESCR = """\
.. _higgs_dataset:

HIGGS dataset
-------------

Monte Carlo simulated proton-proton collisions. The task is to tell events
in which a heavy neutral Higgs boson is produced (signal, label 1) from
events of a background process with the same final state (label 0). Signal:
gg -> H0 -> W-+ H+-, H+- -> W+- h0, h0 -> b bbar; background: top-quark pair
production. Both end in a lepton, missing transverse energy (a neutrino) and
four jets, two of them b-tagged.

**Data Set Characteristics:**

=================   =========================================
Classes             2 (0 = background, 1 = signal)
Samples total       11,000,000 (the last 500,000 are the
                    test set of the original paper)
Dimensionality      28
Features            real (stored as float32, returned as float64)
=================   =========================================

Columns of ``HIGGS.csv`` (comma-separated, no header): column 0 is the label;
columns 1 to 21 are the 21 low-level features measured by the detector:
lepton_pT, lepton_eta, lepton_phi, missing_energy_magnitude,
missing_energy_phi, and for each of the four jets jetN_pt, jetN_eta,
jetN_phi, jetN_b-tag; columns 22 to 28 are 7 high-level features that
physicists derived from them, invariant masses of decay products: m_jj,
m_jjj, m_lv, m_jlv, m_bb, m_wbb, m_wwbb. Momenta and masses are scaled
(not in GeV); the values in the file are as distributed by UCI.

:func:`~sksymact.datasets.fetch_higgs` returns the first ``n_samples`` rows
of the file in their original order (the paper "Neuro-Symbolic Activation
Discovery" used the first 100,000). The rows of the file are not sorted by
label.

Source: UCI Machine Learning Repository, dataset 280,
https://archive.ics.uci.edu/dataset/280/higgs

License: Creative Commons Attribution 4.0 International (CC BY 4.0).

.. rubric:: References

* Whiteson, D. (2014). HIGGS [Dataset]. UCI Machine Learning Repository.
  https://doi.org/10.24432/C5V312
* Baldi, P., Sadowski, P., Whiteson, D. (2014). Searching for exotic
  particles in high-energy physics with deep learning. Nature
  Communications 5, 4308. https://doi.org/10.1038/ncomms5308
"""

COVERTYPE_DESCR = """\
.. _covertype_dataset:

Forest covertype dataset
------------------------

Predict the forest cover type of 30 x 30 m cells of the Roosevelt National
Forest (northern Colorado) from cartographic variables (US Geological Survey
and US Forest Service data); no remotely sensed data are used.

**Data Set Characteristics:**

=================   =========================================
Classes             7 (Cover_Type 1 to 7), or 2 when binarized
Samples total       581,012
Dimensionality      54
Features            int (returned as float64)
=================   =========================================

Columns of ``covtype.data`` (comma-separated integers, no header): 10
quantitative variables (Elevation, Aspect, Slope,
Horizontal_Distance_To_Hydrology, Vertical_Distance_To_Hydrology,
Horizontal_Distance_To_Roadways, Hillshade_9am, Hillshade_Noon,
Hillshade_3pm, Horizontal_Distance_To_Fire_Points; distances in metres,
aspect in degrees azimuth, slope in degrees, hillshade indices 0 to 255),
then 4 binary Wilderness_Area columns and 40 binary Soil_Type columns (one-hot
each), then Cover_Type. The feature names are those of
:func:`sklearn.datasets.fetch_covtype` (Wilderness_Area_0..3,
Soil_Type_0..39).

Cover types: 1 Spruce/Fir, 2 Lodgepole Pine, 3 Ponderosa Pine,
4 Cottonwood/Willow, 5 Aspen, 6 Douglas-fir, 7 Krummholz.

With ``binary=True`` (the default, as in the paper "Neuro-Symbolic Activation
Discovery") the target is 1 for Lodgepole Pine (Cover_Type == 2) and 0 for all
other cover types; in the full file 283,301 of the 581,012 rows (48.8 %) are
Lodgepole Pine.

**The rows of the file are not in random order.** The first 11,340 rows are
a class-balanced training block (1,620 rows per class), the next 3,780 rows a
balanced validation block (540 per class), and the test block follows. A file
holding only the leading rows (``covtype-<rows>.data.gz``) therefore has a class
mix unlike the full file: in the first 20,000 rows there are 2,942 / 6,022 /
2,160 / 2,160 / 2,396 / 2,160 / 2,160 rows of classes 1 to 7 (30.1 % Lodgepole
Pine). Subsamples drawn from such a file inherit that mix.

Source: UCI Machine Learning Repository, dataset 31,
https://archive.ics.uci.edu/dataset/31/covertype

License: Creative Commons Attribution 4.0 International (CC BY 4.0).

.. rubric:: References

* Blackard, J. (1998). Covertype [Dataset]. UCI Machine Learning Repository.
  https://doi.org/10.24432/C50K5N
* Blackard, J. A., Dean, D. J. (1999). Comparative accuracies of artificial
  neural networks and discriminant analysis in predicting forest cover types
  from cartographic variables. Computers and Electronics in Agriculture
  24(3), 131-151. https://doi.org/10.1016/S0168-1699(99)00046-0
"""

SPAMBASE_DESCR = """\
.. _spambase_dataset:

Spambase dataset
----------------

Classify e-mail as spam (1) or not spam (0). The collection comes from
Hewlett-Packard Labs (1999); spam came from the postmaster and individuals
who had filed spam, non-spam from work and personal e-mail, so words such as
"george" and the area code "650" are indicators of non-spam.

**Data Set Characteristics:**

=================   =========================================
Classes             2 (0 = non-spam, 1 = spam)
Samples total       4,601 (1,813 spam, 39.4 %)
Dimensionality      57
Features            real, non-negative
=================   =========================================

Columns of ``spambase.data`` (comma-separated, no header, CRLF line ends):

* 48 ``word_freq_WORD``: percentage (0 to 100) of words in the e-mail that
  match WORD;
* 6 ``char_freq_CHAR``: percentage of characters that are CHAR
  (``;``, ``(``, ``[``, ``!``, ``$``, ``#``);
* ``capital_run_length_average``: average length of uninterrupted runs of
  capital letters;
* ``capital_run_length_longest``: length of the longest such run;
* ``capital_run_length_total``: total number of capital letters;
* then the label (1 = spam).

Source: UCI Machine Learning Repository, dataset 94,
https://archive.ics.uci.edu/dataset/94/spambase

License: Creative Commons Attribution 4.0 International (CC BY 4.0).

.. rubric:: References

* Hopkins, M., Reeber, E., Forman, G., Suermondt, J. (1999). Spambase
  [Dataset]. UCI Machine Learning Repository.
  https://doi.org/10.24432/C53G6X
"""
