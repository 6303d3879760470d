"""Unit tests of lambdas.shared: settings, time budget, the X-Ray provider."""
