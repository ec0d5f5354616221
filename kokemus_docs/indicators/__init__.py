"""The service indicators of the year (§8): demand, fees, topics and client feedback, as a workbook with charts."""
