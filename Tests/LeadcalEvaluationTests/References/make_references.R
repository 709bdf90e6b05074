# Reference values for leadcal's DeLong code, from the R package pROC.
# Run from this folder:  Rscript make_references.R   (Debian: apt-get install r-cran-proc)
# Writes asah.csv (pROC's aSAH data: outcome, wfns, s100b, ndka; wfns is a
# 1-5 grade, so its scores are heavily tied) and proc.json.
library(pROC)
data(aSAH)
write.csv(data.frame(poor = as.integer(aSAH$outcome == "Poor"), wfns = aSAH$wfns, s100b = aSAH$s100b, ndka = aSAH$ndka),
          "asah.csv", row.names = FALSE)
fmt <- function(x) formatC(x, digits = 17, format = "g")
r <- list(wfns = roc(aSAH$outcome, aSAH$wfns, quiet = TRUE, direction = "<"),
          s100b = roc(aSAH$outcome, aSAH$s100b, quiet = TRUE, direction = "<"),
          ndka = roc(aSAH$outcome, aSAH$ndka, quiet = TRUE, direction = "<"))
lines <- c("{", sprintf('  "pROC": "%s",', packageVersion("pROC")))
for (n in names(r)) {
  ci <- ci.auc(r[[n]], method = "delong")
  lines <- c(lines, sprintf('  "%s": {"auc": %s, "var": %s, "ci": [%s, %s]},', n, fmt(auc(r[[n]])), fmt(var(r[[n]])), fmt(ci[1]), fmt(ci[3])))
}
tests <- list(c("s100b", "wfns"), c("ndka", "wfns"), c("ndka", "s100b"))
for (i in seq_along(tests)) {
  a <- tests[[i]][1]; b <- tests[[i]][2]
  t <- roc.test(r[[b]], r[[a]], method = "delong")   # statistic: AUC(b) - AUC(a)
  lines <- c(lines, sprintf('  "test_%s_%s": {"z": %s, "p": %s, "ci": [%s, %s]}%s', a, b, fmt(t$statistic), fmt(t$p.value),
                           fmt(t$conf.int[1]), fmt(t$conf.int[2]), if (i < length(tests)) "," else ""))
}
writeLines(c(lines, "}"), "proc.json")
